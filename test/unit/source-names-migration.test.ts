import {describe, expect, it} from 'vitest'

import {createSource, findSourceByRef, updateSource} from '../../src/core/sources.js'
import {HttpError} from '../../src/errors.js'
import {migrate} from '../../src/store/db.js'
import {storeBeforeMigration} from '../helpers/old-store.js'

/** Issue 11 item 3: stores made before names were unique may hold duplicates. */

function storeBeforeUniqueNames() {
  const db = storeBeforeMigration('sources_project_name')
  const now = new Date().toISOString()
  db.prepare(
    `INSERT INTO projects (id, name, type, config, created_at, updated_at) VALUES (?, 'p', 'outgoing', '{}', ?, ?)`,
  ).run('P1', now, now)
  db.prepare(
    `INSERT INTO projects (id, name, type, config, created_at, updated_at) VALUES (?, 'q', 'outgoing', '{}', ?, ?)`,
  ).run('P2', now, now)
  const add = (id: string, project: string, name: string, deleted = false) =>
    db
      .prepare(
        `INSERT INTO sources (id, project_id, name, mask_id, verifier, body_limit, created_at, updated_at, deleted_at) VALUES (?, ?, ?, ?, '{"type":"noop"}', 1024, ?, ?, ?)`,
      )
      .run(id, project, name, `mask${id}`, now, now, deleted ? now : null)
  add('01A0000000000000000000AAAA', 'P1', 'github') // listen's noop source, the oldest
  add('01A0000000000000000000BBBB', 'P1', 'github') // the tour's verifying one
  add('01A0000000000000000000CCCC', 'P1', 'github')
  add('01A0000000000000000000DDDD', 'P1', 'github-2') // already taken: the rename must dodge it
  add('01A0000000000000000000EEEE', 'P1', 'github', true) // deleted: left alone
  add('01A0000000000000000000FFFF', 'P2', 'github') // another project: its own namespace
  return db
}

describe('unique source names', () => {
  it('the migration keeps the oldest name and renames newer duplicates, without failing', () => {
    const db = storeBeforeUniqueNames()
    migrate(db)
    const names = Object.fromEntries(
      (db.prepare(`SELECT id, name FROM sources ORDER BY id`).all() as {id: string; name: string}[]).map((r) => [
        r.id.slice(-4),
        r.name,
      ]),
    )
    expect(names).toEqual({
      AAAA: 'github',
      BBBB: 'github-00bbbb', // github-2 was taken by a source of the user's
      CCCC: 'github-3',
      DDDD: 'github-2',
      EEEE: 'github',
      FFFF: 'github',
    })
    // Live names in P1 are distinct now, and the index keeps them so.
    const live = db.prepare(`SELECT name FROM sources WHERE project_id = 'P1' AND deleted_at IS NULL`).all() as {
      name: string
    }[]
    expect(new Set(live.map((r) => r.name)).size).toBe(live.length)
    expect(() => createSource(db, 'P1', {name: 'github'})).toThrow(HttpError)
    // The resolver: an ID first, then the one live source with that name.
    expect(findSourceByRef(db, 'P1', 'github')?.id).toBe('01A0000000000000000000AAAA')
    expect(findSourceByRef(db, 'P1', '01A0000000000000000000CCCC')?.name).toBe('github-3')
  })

  it('create and rename into a taken name answer 409 naming the field, and change nothing', () => {
    const db = storeBeforeUniqueNames()
    migrate(db)
    const before = db.prepare(`SELECT COUNT(*) AS n FROM sources`).get()
    let error: unknown
    try {
      createSource(db, 'P1', {name: 'github', provider: 'github', verifier: {hmac: {secret: 's3cr3t'}}})
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(HttpError)
    expect((error as HttpError).status).toBe(409)
    expect((error as HttpError).message).toMatch(/^name: a source named "github" already exists in this project/)
    expect(db.prepare(`SELECT COUNT(*) AS n FROM sources`).get()).toEqual(before)
    expect(() => updateSource(db, 'P1', '01A0000000000000000000CCCC', {name: 'github'})).toThrow(/already exists/)
    expect(findSourceByRef(db, 'P1', '01A0000000000000000000CCCC')?.name).toBe('github-3')
    // Renaming to itself or to a free name is fine; another project may use the name.
    expect(updateSource(db, 'P1', '01A0000000000000000000CCCC', {name: 'github-3'}).name).toBe('github-3')
    expect(createSource(db, 'P2', {name: 'stripe'}).name).toBe('stripe')
  })
})
