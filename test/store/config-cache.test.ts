import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {createEndpoint} from '../../src/core/endpoints.js'
import {GroupCommit} from '../../src/relay/group-commit.js'
import {atomic, type Db, openDb} from '../../src/store/db.js'
import {
  createApiKey,
  defaultProjectConfig,
  deleteApiKeysNamed,
  getProject,
  insertProject,
  lookupApiKey,
} from '../../src/store/projects.js'
import {endpoints, subscriptions} from '../../src/store/resources.js'

let dir: string
let db: Db
let projectId: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'caravan-config-cache-'))
  db = openDb(dir)
  projectId = insertProject(db, {name: 'before', type: 'outgoing', config: defaultProjectConfig()}).id
})
afterEach(async () => {
  db.close()
  await rm(dir, {recursive: true, force: true})
})

const rename = (name: string) => db.prepare(`UPDATE projects SET name = ? WHERE id = ?`).run(name, projectId)

describe('cached reads of projects, keys, endpoints and subscriptions (issue 12)', () => {
  it('a write by any SQL is seen by the next read', () => {
    expect(getProject(db, projectId)?.name).toBe('before')
    rename('after')
    expect(getProject(db, projectId)?.name).toBe('after')

    const {key} = createApiKey(db, {projectId, name: 'k'})
    expect(lookupApiKey(db, key)).toEqual({projectId})
    deleteApiKeysNamed(db, 'k')
    expect(lookupApiKey(db, key)).toBeUndefined()

    const endpoint = createEndpoint(db, projectId, {name: 'e', url: 'http://127.0.0.1:9/a'})
    expect(endpoints.get(db, projectId, endpoint.id)?.url).toBe('http://127.0.0.1:9/a')
    db.prepare(`UPDATE endpoints SET url = 'http://127.0.0.1:9/b' WHERE id = ?`).run(endpoint.id)
    expect(endpoints.get(db, projectId, endpoint.id)?.url).toBe('http://127.0.0.1:9/b')

    const all = () => subscriptions.find(db, ['project_id = ?'], [projectId]).map((s) => s.name)
    expect(all()).toEqual([])
    db.prepare(
      `INSERT INTO subscriptions (id, project_id, name, type, endpoint_id, filter_config, created_at, updated_at) VALUES ('s1', ?, 'sub', 'api', ?, '{}', '', '')`,
    ).run(projectId, endpoint.id)
    expect(all()).toEqual(['sub'])
  })

  it('what a rolled-back transaction wrote and read is never served afterwards', () => {
    expect(getProject(db, projectId)?.name).toBe('before')
    expect(() =>
      atomic(db, () => {
        rename('rolled back')
        // Read inside the transaction, after its write: what it sees is not kept.
        expect(getProject(db, projectId)?.name).toBe('rolled back')
        throw new Error('undo')
      }),
    ).toThrow('undo')
    expect(getProject(db, projectId)?.name).toBe('before')
  })

  it("a group commit job that fails after writing leaves no trace in later reads, the batch's others commit", async () => {
    const writer = new GroupCommit(db)
    const failing = writer.run(() => {
      rename('failed job')
      expect(getProject(db, projectId)?.name).toBe('failed job')
      throw new Error('job fails')
    })
    const other = writer.run(() => getProject(db, projectId)?.name)
    await expect(failing).rejects.toThrow('job fails')
    expect(await other).toBe('before')
    expect(getProject(db, projectId)?.name).toBe('before')
    await writer.close()
  })

  it('reads in a transaction that wrote nothing are kept, and stay right once it commits', () => {
    atomic(db, () => expect(getProject(db, projectId)?.name).toBe('before'))
    rename('later')
    expect(getProject(db, projectId)?.name).toBe('later')
  })

  it('callers cannot change what others read: the top level is their own copy, nested values are frozen', () => {
    const project = getProject(db, projectId)!
    project.name = 'changed in memory'
    project.config.retention_policy = {policy: 'changed'}
    expect(() => {
      ;(project.config.strategy as {retry_count: number}).retry_count = 99
    }).toThrow(TypeError)
    const again = getProject(db, projectId)!
    expect(again.name).toBe('before')
    expect(again.config.retention_policy).not.toEqual({policy: 'changed'})
    expect(again.config.strategy.retry_count).not.toBe(99)
  })

  it("another connection's commit is seen within 25 ms", async () => {
    // Two caching connections to one file: each learns of the other's commits by data_version.
    const reader = openDb(dir)
    try {
      expect(getProject(reader, projectId)?.name).toBe('before')
      rename('from the first connection')
      await new Promise((later) => setTimeout(later, 30))
      expect(getProject(reader, projectId)?.name).toBe('from the first connection')
    } finally {
      reader.close()
    }
  })
})
