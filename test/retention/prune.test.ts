import {describe, expect, it, onTestFinished} from 'vitest'

import {pruneEvents} from '../../src/retention/prune.js'
import {RetentionScheduler} from '../../src/retention/scheduler.js'
import {startDeliveryRelay, waitFor} from '../helpers/delivery.js'
import {countRows, DAY_MS, seedEndpoint, seedEvents} from './support.js'

/** A relay that stores but does not deliver, so seeded pending deliveries stay as they are. */
async function storeOnlyRelay(opts: {retention?: string} = {}) {
  const r = await startDeliveryRelay({deliver: false, ...opts})
  const endpointId = seedEndpoint(r.relay.db, r.projectId)
  const seed = (
    count: number,
    daysAgo: number,
    status: Parameters<typeof seedEvents>[1]['status'],
    projectId = r.projectId,
    endpoint = endpointId,
  ) =>
    seedEvents(r.relay.db, {
      projectId,
      endpointId: endpoint,
      count,
      at: Date.now() - daysAgo * DAY_MS,
      status,
      attempts: 2,
    })
  const newProject = async (config: Record<string, unknown> = {}) => {
    const {project} = await r.ok('POST', '/api/v1/projects', {name: `p-${Date.now()}`, type: 'outgoing', config})
    return {id: project.uid as string, endpointId: seedEndpoint(r.relay.db, project.uid)}
  }
  return {r, seed, newProject}
}

describe('events prune (POST /projects/{id}/events/prune)', () => {
  it('deletes finished events older than the cut-off with their deliveries and attempts, and nothing else', async () => {
    const {r, seed, newProject} = await storeOnlyRelay()
    const other = await newProject()
    const gone = [
      ...seed(3, 40, 'Success'),
      ...seed(2, 40, 'Failure'),
      ...seed(2, 40, 'Discarded'),
      ...seed(2, 40, null), // no deliveries at all
    ]
    const pending = [...seed(2, 40, 'Retry'), ...seed(1, 40, 'Scheduled'), ...seed(1, 40, 'Processing')]
    const recent = seed(3, 1, 'Success')
    seed(4, 40, 'Success', other.id, other.endpointId)
    // One finished and one pending delivery: the event is not done yet.
    const mixed = seed(1, 40, 'Success')[0]
    r.relay.db
      .prepare(
        `INSERT INTO deliveries (id, project_id, event_id, endpoint_id, subscription_id, status, retry_limit, next_attempt_at, created_at, updated_at)
         SELECT id || 'b', project_id, event_id, endpoint_id, 'sub2', 'Retry', 3, 0, created_at, updated_at FROM deliveries WHERE event_id = ?`,
      )
      .run(mixed)

    const before = new Date(Date.now() - 30 * DAY_MS).toISOString()
    const res = await r.api('POST', r.p('/events/prune'), {before})
    expect(res.status).toBe(200)
    expect(res.json).toEqual({
      status: true,
      message: 'Events pruned successfully',
      data: {events: 9, deliveries: 7, attempts: 14, meta_events: 0, before},
    })
    const left = (
      r.relay.db.prepare(`SELECT id FROM events WHERE project_id = ?`).all(r.projectId) as {id: string}[]
    ).map((e) => e.id)
    expect(left.sort()).toEqual([...pending, ...recent, mixed].sort())
    for (const id of gone) expect((await r.api('GET', r.p(`/events/${id}`))).status).toBe(404)
    expect(countRows(r.relay.db, other.id)).toEqual({events: 4, deliveries: 4, attempts: 8})
    // No orphans: every delivery and attempt left still has its event and delivery.
    expect(
      r.relay.db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM deliveries d WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = d.event_id))
                + (SELECT COUNT(*) FROM delivery_attempts a WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.id = a.delivery_id)) AS n`,
        )
        .get(),
    ).toEqual({n: 0})

    // older_than is the same cut-off measured by the relay's clock; a second run finds nothing.
    const again = await r.ok('POST', r.p('/events/prune'), {older_than: '30d'})
    expect(again).toMatchObject({events: 0, deliveries: 0, attempts: 0})
  })

  it('refuses a bad cut-off with 400 naming it, and changes nothing', async () => {
    const {r, seed} = await storeOnlyRelay()
    seed(5, 40, 'Success')
    const snapshot = countRows(r.relay.db)
    const future = new Date(Date.now() + DAY_MS).toISOString()
    const cases: [unknown, string][] = [
      [{}, 'give exactly one of before (a date, e.g. 2026-11-01T00:00:00Z) or older_than (e.g. 30d)'],
      [
        {before: '2026-01-01T00:00:00Z', older_than: '30d'},
        'give exactly one of before (a date, e.g. 2026-11-01T00:00:00Z) or older_than (e.g. 30d)',
      ],
      [{before: 'yesterday'}, 'before must be an ISO date, e.g. 2026-11-01T00:00:00Z (got "yesterday")'],
      [{before: future}, `before is in the future (${future})`],
      [
        {older_than: '30 days'},
        'older_than: "30 days" is not a duration: use a number with a unit, e.g. 30d, 720h or 1h30m',
      ],
      [{before: 5}, 'before must be a string'],
    ]
    for (const [body, message] of cases) {
      const res = await r.api('POST', r.p('/events/prune'), body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json).toEqual({status: false, message})
    }
    expect(countRows(r.relay.db)).toEqual(snapshot)
  })

  it('meta events older than the cut-off go with their attempts; one still being sent, newer ones and other projects stay', async () => {
    const {r, newProject} = await storeOnlyRelay()
    const other = await newProject()
    const db = r.relay.db
    const meta = (id: string, projectId: string, daysAgo: number, status: string) => {
      const at = new Date(Date.now() - daysAgo * DAY_MS).toISOString()
      db.prepare(
        `INSERT INTO meta_events (id, project_id, event_type, url, body, status, attempts, created_at, updated_at) VALUES (?, ?, 'endpoint.created', 'http://127.0.0.1:9/meta', ?, ?, 1, ?, ?)`,
      ).run(id, projectId, Buffer.from('{}'), status, at, at)
      db.prepare(
        `INSERT INTO meta_event_attempts (id, project_id, meta_event_id, url, request_headers, created_at) VALUES (?, ?, ?, 'http://127.0.0.1:9/meta', '{}', ?)`,
      ).run(`${id}-a`, projectId, id, at)
    }
    meta('01META0OLDOK', r.projectId, 40, 'Success')
    meta('01META1OLDFAIL', r.projectId, 40, 'Failure')
    meta('01META2OLDSENDING', r.projectId, 40, 'Scheduled')
    meta('01META3NEW', r.projectId, 1, 'Success')
    meta('01META4OTHER', other.id, 40, 'Success')

    const before = new Date(Date.now() - 30 * DAY_MS).toISOString()
    const res = await r.api('POST', r.p('/events/prune'), {before})
    expect(res.json.data).toMatchObject({events: 0, meta_events: 2})
    const ids = (table: string, column: string) =>
      (db.prepare(`SELECT ${column} AS id FROM ${table} ORDER BY 1`).all() as {id: string}[]).map((x) => x.id)
    expect(ids('meta_events', 'id')).toEqual(['01META2OLDSENDING', '01META3NEW', '01META4OTHER'])
    expect(ids('meta_event_attempts', 'meta_event_id')).toEqual(['01META2OLDSENDING', '01META3NEW', '01META4OTHER'])
  })

  it('works in batches: every batch is its own write, and the last one finds the end', async () => {
    const {r, seed} = await storeOnlyRelay()
    seed(10, 40, 'Success')
    const writes: number[] = []
    const result = await pruneEvents(r.relay.db, {
      before: Date.now() - DAY_MS,
      projectId: r.projectId,
      batchSize: 3,
      write: async (work) => {
        const out = r.relay.db.transaction(work)()
        // Event batches answer counts; the meta-event batch after them a number.
        writes.push(typeof out === 'number' ? out : (out as {events: number}).events)
        return out
      },
    })
    expect(writes).toEqual([3, 3, 3, 1, 0])
    expect(result).toMatchObject({events: 10, deliveries: 10, attempts: 20, meta_events: 0, batches: 5})
  })

  it('acknowledgements are not held up: an event created during a long prune is answered first', async () => {
    const {r, seed} = await storeOnlyRelay()
    seed(20_000, 40, 'Success', undefined, undefined)
    const order: string[] = []
    const pruning = r.ok('POST', r.p('/events/prune'), {older_than: '30d'}).then((data) => {
      order.push('prune')
      return data
    })
    // Let the prune start before the event arrives.
    await new Promise((resolve) => setTimeout(resolve, 20))
    const created = await r.ok('POST', r.p('/events/broadcast'), {event_type: 'during.prune', data: {n: 1}})
    order.push('event')
    const pruned = await pruning
    expect(pruned.events).toBe(20_000)
    expect(order).toEqual(['event', 'prune'])
    expect((await r.api('GET', r.p(`/events/${created.uid}`))).status).toBe(200)
  }, 60_000)
})

describe('retention (caravan server --retention, project retention_policy)', () => {
  it('the server default applies to every project unless the project sets its own policy', async () => {
    const {r, seed, newProject} = await storeOnlyRelay({retention: '30d'})
    const keepLonger = await newProject({retention_policy: {policy: '90d'}})
    seed(3, 40, 'Success')
    seed(2, 10, 'Success')
    seed(4, 40, 'Failure', keepLonger.id, keepLonger.endpointId)

    const first = await r.relay.retention.runOnce()
    expect(first.map((x) => x.events)).toContain(3)
    expect(countRows(r.relay.db, r.projectId).events).toBe(2)
    expect(countRows(r.relay.db, keepLonger.id).events).toBe(4)

    // 60 days on (an injected clock): past the project's 90 days too.
    await r.relay.retention.runOnce(Date.now() + 60 * DAY_MS)
    expect(countRows(r.relay.db, keepLonger.id)).toEqual({events: 0, deliveries: 0, attempts: 0})
    expect(countRows(r.relay.db, r.projectId).events).toBe(0)
  })

  it('a retention longer than time itself prunes nothing, by request or by policy, and other projects go on', async () => {
    const {r, seed, newProject} = await storeOnlyRelay({retention: '30d'})
    const forever = await newProject({retention_policy: {policy: '99999999999d'}})
    seed(2, 40, 'Success', forever.id, forever.endpointId)
    seed(3, 40, 'Success')
    const res = await r.api('POST', `/api/v1/projects/${forever.id}/events/prune`, {older_than: '99999999999d'})
    expect(res.status).toBe(200)
    expect(res.json.data).toMatchObject({events: 0, deliveries: 0, attempts: 0, before: '-271821-04-20T00:00:00.000Z'})
    const results = await r.relay.retention.runOnce()
    expect(results.map((x) => x.events).sort()).toEqual([0, 3])
    expect(countRows(r.relay.db, forever.id).events).toBe(2)
    expect(countRows(r.relay.db, r.projectId).events).toBe(0)
  })

  it('runs on its own timer, logs what it pruned, and stops cleanly', async () => {
    const {r, seed} = await storeOnlyRelay()
    seed(7, 40, 'Success')
    const lines: string[] = []
    const scheduler = new RetentionScheduler({
      db: r.relay.db,
      write: (work) => Promise.resolve(r.relay.db.transaction(work)()),
      defaultMs: 30 * DAY_MS,
      firstRunMs: 1,
      intervalMs: 10,
      log: (line) => lines.push(line),
    })
    scheduler.start()
    onTestFinished(() => scheduler.stop())
    await waitFor(() => countRows(r.relay.db, r.projectId).events === 0, {what: 'scheduled prune'})
    await scheduler.stop()
    expect(lines[0]).toBe('retention: pruning finished events older than 30d (hourly)')
    expect(lines[1]).toMatch(
      new RegExp(
        `^retention: pruned 7 events \\(7 deliveries, 14 attempts\\) and 0 meta events of project ${r.projectId} created before \\d{4}-`,
      ),
    )
  })

  it('without --retention nothing is pruned unless a project asks; a bad policy is refused', async () => {
    const {r, seed} = await storeOnlyRelay()
    seed(3, 400, 'Success')
    await r.relay.retention.runOnce()
    expect(countRows(r.relay.db, r.projectId).events).toBe(3)

    const bad = await r.api('PUT', r.p(''), {name: 'default', config: {retention_policy: {policy: 'forever'}}})
    expect(bad.status).toBe(400)
    expect(bad.json.message).toBe(
      'config.retention_policy.policy: "forever" is not a duration: use a number with a unit, e.g. 30d, 720h or 1h30m',
    )
    const project = await r.ok('PUT', r.p(''), {name: 'default', config: {retention_policy: {policy: '720h'}}})
    expect(project.config.retention_policy).toEqual({policy: '720h'})
    await r.relay.retention.runOnce()
    expect(countRows(r.relay.db, r.projectId).events).toBe(0)
  })
})
