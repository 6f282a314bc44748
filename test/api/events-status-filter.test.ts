import {describe, expect, it} from 'vitest'

import {createSource, rawRequest} from '../helpers/listen.js'
import {qs, type TestRelay, useRelay} from '../helpers/relay.js'
import {sendEvent, subscribedEndpoint} from '../helpers/fixtures.js'

/**
 * `GET /events?status=` (Caravan extension): the status each row of the list shows, filtered in
 * SQL so cursor paging stays exact. Deliveries are put in every state straight in the store
 * (the relay runs without a dispatcher), then each filter is compared with the unfiltered list.
 */

interface Row {
  uid: string
  status: string
  is_duplicate_event: boolean
  failure_reason: string
  delivery_summary: {deliveries: number}
}

/** The dashboard's label (web/ui/events/types.ts displayStatus). */
const label = (e: Row) =>
  e.is_duplicate_event
    ? 'Duplicate'
    : e.failure_reason
      ? 'Rejected'
      : e.delivery_summary.deliveries === 0
        ? 'Stored'
        : ''

async function allPages(t: TestRelay, params: Record<string, string | string[]>): Promise<Row[]> {
  const rows: Row[] = []
  let cursor: string | undefined
  for (let i = 0; i < 50; i++) {
    const res = await t.api(
      'GET',
      t.p('/events') + qs({...params, perPage: 2, direction: 'next', next_page_cursor: cursor}),
    )
    expect(res.status, JSON.stringify(res.json)).toBe(200)
    rows.push(...res.json.data.content)
    if (!res.json.data.pagination.has_next_page) return rows
    cursor = res.json.data.pagination.next_page_cursor
  }
  throw new Error('too many pages')
}

describe('events list: status filter', () => {
  it('answers exactly the events whose listed status (or label) is asked for, across pages', async () => {
    const t = await useRelay({deliver: false})
    await subscribedEndpoint(t, {}, {name: 'a'})
    await subscribedEndpoint(t, {}, {name: 'b'})
    const db = t.relay.db
    const setStatuses = (eventId: string, statuses: string[], mode = 'push') => {
      const ids = (
        db.prepare('SELECT id FROM deliveries WHERE event_id = ? ORDER BY id').all(eventId) as {id: string}[]
      ).map((d) => d.id)
      expect(ids).toHaveLength(statuses.length)
      ids.forEach((id, i) =>
        db.prepare('UPDATE deliveries SET status = ?, mode = ? WHERE id = ?').run(statuses[i], mode, id),
      )
    }
    const broadcast = async (n: number) => (await sendEvent(t, 'broadcast', {event_type: 'x', data: {n}})).uid as string
    // Mixed delivery states: every branch of eventStatus.
    const mixes: [string[], string?][] = [
      [['Success', 'Success']],
      [['Success', 'Failure']],
      [['Failure', 'Discarded']],
      [['Failure', 'Retry']],
      [['Retry', 'Scheduled']],
      [['Success', 'Processing']],
      [['Scheduled', 'Retry'], 'stream'],
      [['Success', 'Retry'], 'stream'],
      [['Failure', 'Failure']],
      [['Success', 'Success']],
    ]
    for (const [i, [statuses, mode]] of mixes.entries()) setStatuses(await broadcast(i), statuses, mode)
    // A push delivery still queued beside a listener's: Processing, not Pending.
    const mixed = await broadcast(100)
    const [first, second] = db.prepare('SELECT id FROM deliveries WHERE event_id = ? ORDER BY id').all(mixed) as {
      id: string
    }[]
    db.prepare(`UPDATE deliveries SET status = 'Scheduled', mode = 'stream' WHERE id = ?`).run(first.id)
    db.prepare(`UPDATE deliveries SET status = 'Retry', mode = 'push' WHERE id = ?`).run(second.id)
    // Duplicates, no deliveries, verification failures.
    await sendEvent(t, 'broadcast', {event_type: 'x', data: {}, idempotency_key: 'k'})
    await sendEvent(t, 'broadcast', {event_type: 'x', data: {}, idempotency_key: 'k'})
    const source = await createSource(t, {
      name: 'gh',
      provider: 'github',
      verifier: {type: 'hmac', hmac: {secret: 's'}},
    })
    expect((await rawRequest(source.url, {headers: {'x-hub-signature-256': 'sha256=00'}, body: '{}'})).status).toBe(401)
    expect((await rawRequest(`${source.url}`, {headers: {}, body: '{}'})).status).toBe(401)
    const open = await createSource(t, {name: 'open'})
    expect((await rawRequest(open.url, {body: '{"stored":true}'})).status).toBe(200)

    const all = await allPages(t, {})
    expect(all.length).toBe(mixes.length + 1 + 2 + 2 + 1)
    const seen = new Set(all.map((e) => e.status))
    expect([...seen].sort()).toEqual(['Failure', 'Pending', 'Processing', 'Retry', 'Success'])

    const expectFilter = async (asked: string[]) => {
      const want = all
        .filter((e) =>
          asked.some((s) => s.toLowerCase() === e.status.toLowerCase() || s.toLowerCase() === label(e).toLowerCase()),
        )
        .map((e) => e.uid)
      const got = await allPages(t, {status: asked})
      expect(
        got.map((e) => e.uid),
        asked.join(','),
      ).toEqual(want)
      const lower = asked.map((s) => s.toLowerCase())
      for (const e of got)
        expect(lower.includes(e.status.toLowerCase()) || lower.includes(label(e).toLowerCase())).toBe(true)
    }
    for (const status of ['Success', 'Failure', 'Retry', 'Processing', 'Pending', 'Duplicate', 'Rejected', 'Stored'])
      await expectFilter([status])
    await expectFilter(['failure', 'Retry'])
    await expectFilter(['Success', 'Failure'])
    await expectFilter(['Stored', 'Pending'])
    // The batch count agrees with the list.
    const count = await t.api('GET', t.p('/events/countbatchreplayevents') + qs({status: 'Failure'}))
    expect(count.json.data.num).toBe(all.filter((e) => e.status === 'Failure').length)

    const bad = await t.api('GET', t.p('/events') + qs({status: 'Broken'}))
    expect(bad.status).toBe(400)
    expect(bad.json.message).toBe(
      'status: "Broken" is not one of Success, Failure, Retry, Processing, Pending, Duplicate, Rejected, Stored',
    )
  })
})
