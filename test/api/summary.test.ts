import {describe, expect, it} from 'vitest'

import {projectSummary} from '../../src/core/summary.js'
import {useRelay, type TestRelay} from '../helpers/relay.js'

// The summary route is a Caravan extension: Convoy's spec has no /summary, so the contract
// check has nothing to compare it with beyond the envelope.

async function endpointWithSubscription(t: TestRelay, name: string): Promise<string> {
  const endpoint = (await t.api('POST', t.p('/endpoints'), {name, url: `${t.receiver.url}/${name}`})).json.data
  await t.api('POST', t.p('/subscriptions'), {name: `sub-${name}`, endpoint_id: endpoint.uid})
  return endpoint.uid
}

describe('project summary (Caravan extension)', () => {
  it('counts events and deliveries by outcome per hour and per endpoint', async () => {
    // No dispatcher: the statuses set below in the store are the ones counted.
    const t = await useRelay({deliver: false})
    const a = await endpointWithSubscription(t, 'a')
    const b = await endpointWithSubscription(t, 'b')
    for (let i = 0; i < 3; i++) await t.api('POST', t.p('/events/broadcast'), {event_type: 'x', data: {i}})
    const deliveries = t.relay.db.prepare('SELECT id, endpoint_id FROM deliveries ORDER BY id').all() as {
      id: string
      endpoint_id: string
    }[]
    expect(deliveries).toHaveLength(6)
    const setStatus = t.relay.db.prepare('UPDATE deliveries SET status = ? WHERE id = ?')
    const ofA = deliveries.filter((d) => d.endpoint_id === a)
    setStatus.run('Success', ofA[0].id)
    setStatus.run('Failure', ofA[1].id)
    setStatus.run('Retry', ofA[2].id)
    for (const d of deliveries.filter((d) => d.endpoint_id === b)) setStatus.run('Success', d.id)

    const res = await t.api('GET', t.p('/summary'))
    expect(res.status).toBe(200)
    const data = res.json.data
    expect(data.period).toBe('24h')
    expect(data.buckets).toHaveLength(24)
    expect(Date.parse(data.end) - Date.parse(data.start)).toBe(24 * 3_600_000)
    // Everything happened now: the last hour holds it all.
    expect(data.buckets.at(-1)).toMatchObject({events: 3, delivered: 4, failed: 1, pending: 1})
    expect(data.buckets.slice(0, -1).every((x: {events: number}) => x.events === 0)).toBe(true)
    expect(data.endpoints).toEqual([
      {uid: a, delivered: 1, failed: 1, pending: 1, failure_rate: 50},
      {uid: b, delivered: 3, failed: 0, pending: 0, failure_rate: 0},
    ])

    const week = (await t.api('GET', t.p('/summary?period=7d'))).json.data
    expect(week.buckets).toHaveLength(7)
    expect(week.buckets.at(-1)).toMatchObject({events: 3, delivered: 4, failed: 1, pending: 1})
    expect(week.buckets.at(-1).start).toMatch(/T00:00:00\.000Z$/)

    // Seen three hours later, the same events sit three buckets back; 25 hours later, outside.
    const later = projectSummary(t.relay.db, t.projectId, '24h', Date.now() + 3 * 3_600_000)
    expect(later.buckets[20]).toMatchObject({events: 3, delivered: 4})
    expect(later.buckets.at(-1)).toMatchObject({events: 0, delivered: 0})
    expect(
      projectSummary(t.relay.db, t.projectId, '24h', Date.now() + 25 * 3_600_000).buckets.some((x) => x.events),
    ).toBe(false)
  })

  it('refuses an unknown period and another project’s key', async () => {
    const t = await useRelay({deliver: false})
    const bad = await t.api('GET', t.p('/summary?period=1y'))
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/period must be one of 24h, 7d/)
    const other = await t.api('POST', '/api/v1/projects', {name: 'other', type: 'outgoing'})
    const denied = await t.api('GET', t.p('/summary'), undefined, {key: other.json.data.api_key.key})
    expect(denied.status).toBe(401)
  })

  it('counts buckets from covering indexes, one scan of the window each', async () => {
    const t = await useRelay({deliver: false})
    const db = t.relay.db
    const sqls: string[] = []
    const prepare = db.prepare.bind(db)
    db.prepare = ((sql: string) => (sqls.push(sql), prepare(sql))) as typeof db.prepare
    try {
      projectSummary(db, t.projectId, '24h')
    } finally {
      db.prepare = prepare
    }
    const plan = (sql: string) =>
      (
        db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...new Array(sql.split('?').length - 1).fill('x')) as {
          detail: string
        }[]
      )
        .map((r) => r.detail)
        .join('; ')
    const bucketed = sqls.filter((s) => s.includes('UNION ALL'))
    expect(bucketed).toHaveLength(2)
    for (const sql of bucketed) expect(plan(sql)).toMatch(/USING COVERING INDEX (events_project|deliveries_status)/)
  })
})
