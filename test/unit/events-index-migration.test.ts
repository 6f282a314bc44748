import {describe, expect, it} from 'vitest'

import {eventListWhere} from '../../src/core/events.js'
import {pruneBatch} from '../../src/retention/prune.js'
import {migrate} from '../../src/store/db.js'
import {storeBeforeMigration, ulidAt} from '../helpers/old-store.js'

/** Issue 12: migration 17 drops events_created and makes events_source partial. */
const DAY = 86_400_000

function storeBeforeSlimmerIndexes() {
  const db = storeBeforeMigration('DROP INDEX events_created')
  const now = Date.now()
  db.prepare(
    `INSERT INTO projects (id, name, type, config, created_at, updated_at) VALUES ('P1', 'p', 'outgoing', '{}', ?, ?)`,
  ).run(new Date(now).toISOString(), new Date(now).toISOString())
  const add = db.prepare(
    `INSERT INTO events (id, project_id, source_id, body, created_at, updated_at) VALUES (?, 'P1', ?, x'7b7d', ?, ?)`,
  )
  const made: Record<string, string> = {}
  for (const [name, daysAgo, source] of [
    ['old-api', 40, null],
    ['old-github', 40, 'S1'],
    ['new-api', 1, null],
    ['new-github', 1, 'S1'],
    ['new-stripe', 1, 'S2'],
  ] as const) {
    const at = now - daysAgo * DAY
    made[name] = ulidAt(at)
    add.run(made[name], source, new Date(at).toISOString(), new Date(at).toISOString())
  }
  return {db, made, now}
}

describe('migration 17: fewer event indexes', () => {
  it('keeps every event findable by source, by date and for pruning', () => {
    const {db, made, now} = storeBeforeSlimmerIndexes()
    migrate(db)
    const indexes = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'`).all() as {
        name: string
      }[]
    ).map((r) => r.name)
    expect(indexes).not.toContain('events_created')
    expect(indexes).toContain('events_source')
    const names = (ids: {id: string}[]) => ids.map((r) => Object.keys(made).find((k) => made[k] === r.id)).sort()
    const list = (filter: Parameters<typeof eventListWhere>[2]) => {
      const {where, params} = eventListWhere(db as never, 'P1', filter)
      const sql = `SELECT id FROM events WHERE ${where.join(' AND ')} ORDER BY id`
      return {
        rows: names(db.prepare(sql).all(...params) as {id: string}[]),
        plan: db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params),
      }
    }
    const bySource = list({sourceId: 'S1'})
    expect(bySource.rows).toEqual(['new-github', 'old-github'])
    expect(JSON.stringify(bySource.plan)).toContain('events_source')
    expect(list({sourceId: ['S1', 'S2']}).rows).toEqual(['new-github', 'new-stripe', 'old-github'])
    expect(list({startDate: new Date(now - 7 * DAY).toISOString()}).rows).toEqual([
      'new-api',
      'new-github',
      'new-stripe',
    ])
    // Pruning walks ids: the 40-day-old events go, with or without a source.
    const pruned = pruneBatch(db as never, 'P1', now - 30 * DAY, '')
    expect(pruned.events).toBe(2)
    expect(names(db.prepare(`SELECT id FROM events ORDER BY id`).all() as {id: string}[])).toEqual([
      'new-api',
      'new-github',
      'new-stripe',
    ])
  })
})
