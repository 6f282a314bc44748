import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {DUE_QUERIES} from '../../src/delivery/dispatcher.js'
import {type Db, openDb} from '../../src/store/db.js'

let dir: string | undefined
let db: Db | undefined
afterEach(async () => {
  db?.close()
  if (dir) await rm(dir, {recursive: true, force: true})
  db = dir = undefined
})

/** A migrated store with `perEndpoint` waiting push deliveries for each of endpoints a and b, all due at once. */
async function storeWithBacklog(perEndpoint: number): Promise<Db> {
  dir = await mkdtemp(join(tmpdir(), 'caravan-due-'))
  db = openDb(dir)
  db.pragma('foreign_keys = OFF')
  const insert = db.prepare(
    `INSERT INTO deliveries (id, project_id, event_id, endpoint_id, subscription_id, status, mode, retry_limit, next_attempt_at, created_at, updated_at)
     VALUES (?, 'p', ?, ?, 's', ?, 'push', 3, ?, '', '')`,
  )
  db.transaction(() => {
    for (let i = 0; i < perEndpoint; i++) {
      const n = String(i).padStart(6, '0')
      insert.run(`a-${n}`, `ev-a-${n}`, 'a', i % 2 ? 'Retry' : 'Scheduled', 1000)
      insert.run(`b-${n}`, `ev-b-${n}`, 'b', 'Scheduled', 1000)
    }
    // Not waiting: never returned, whatever their time.
    insert.run('a-done', 'ev-a-done', 'a', 'Success', 0)
    insert.run('c-processing', 'ev-c', 'c', 'Processing', 0)
  })()
  return db
}

const plan = (db: Db, sql: string, params: unknown[]) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as {detail: string}[]).map((r) => r.detail).join('\n')

describe('the dispatcher due queries', () => {
  it('are served by the due indexes without sorting, however many deliveries tie on their time', async () => {
    const db = await storeWithBacklog(2000)
    const plans = {
      endpoints: plan(db, DUE_QUERIES.endpoints, []),
      forEndpoint: plan(db, DUE_QUERIES.forEndpoint, ['a', 2000, 16]),
      next: plan(db, DUE_QUERIES.next, []),
      nextAfter: plan(db, DUE_QUERIES.nextAfter, [1000]),
    }
    for (const [name, detail] of Object.entries(plans)) {
      expect(detail, name).not.toMatch(/TEMP B-TREE/)
      expect(detail, name).toMatch(/USING (COVERING )?INDEX deliveries_due/)
      expect(detail, name).not.toMatch(/SCAN deliveries\b/)
    }
  })

  it('list each endpoint with waiting deliveries once, and give one endpoint its own due rows in order', async () => {
    const db = await storeWithBacklog(50)
    const endpoints = (db.prepare(DUE_QUERIES.endpoints).all() as {id: string}[]).map((r) => r.id)
    expect(endpoints).toEqual(['a', 'b'])
    const rows = db.prepare(DUE_QUERIES.forEndpoint).all('b', 1000, 16) as {id: string; endpoint_id: string}[]
    expect(rows).toHaveLength(16)
    expect(rows.every((r) => r.endpoint_id === 'b')).toBe(true)
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort())
    expect(db.prepare(DUE_QUERIES.forEndpoint).all('a', 999, 16)).toHaveLength(0)
    expect(db.prepare(DUE_QUERIES.next).get()).toEqual({next: 1000})
    expect(db.prepare(DUE_QUERIES.nextAfter).get(1000)).toEqual({next: null})
  })
})
