import {describe, expect, it} from 'vitest'

import {DELIVERY_STATUSES} from '../../src/store/types.js'
import {
  FRESH_DELIVERY_STATUSES,
  deliveriesOf,
  nextMillisecond,
  sendEvent,
  subscribedEndpoint,
} from '../helpers/fixtures.js'
import {waitFor} from '../helpers/delivery.js'
import {expectCompleteWalk, walkPages} from '../helpers/paging.js'
import {qs, useRelay, type TestRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

async function listDeliveries(
  t: TestRelay,
  query: Record<string, string | number | string[] | undefined> = {},
): Promise<string[]> {
  const res = await t.api('GET', t.p('/eventdeliveries') + qs({perPage: 100, sort: 'ASC', ...query}))
  expect(res.status, JSON.stringify(res.json)).toBe(200)
  return res.json.data.content.map((d: {uid: string}) => d.uid)
}

describe('event deliveries', () => {
  it('lists and gets deliveries with their endpoint and retry metadata', async () => {
    const t = await useRelay()
    const a = await subscribedEndpoint(t, {}, {name: 'a'})
    const b = await subscribedEndpoint(t, {}, {name: 'b'})
    const event = await sendEvent(t, 'broadcast', {event_type: 'invoice.paid', data: {n: 1}})

    const list = await t.api('GET', t.p('/eventdeliveries'))
    expect(list.status).toBe(200)
    expect(list.json.message).toBe('Event deliveries fetched successfully')
    const content = list.json.data.content
    expect(content).toHaveLength(2)
    expect(list.json.data.pagination).toMatchObject({per_page: 20, has_next_page: false, has_prev_page: false})

    for (const delivery of content) {
      const target = [a, b].find((x) => x.endpointId === delivery.endpoint_id)!
      expect(delivery).toMatchObject({
        project_id: t.projectId,
        event_id: event.uid,
        subscription_id: target.subscriptionId,
        event_type: 'invoice.paid',
        target_url: `${t.receiver.url}/hook`,
        endpoint_metadata: {uid: target.endpointId},
        metadata: {retry_limit: 10, strategy: 'linear', interval_seconds: 10},
      })
      expect(FRESH_DELIVERY_STATUSES).toContain(delivery.status)
      expect(Date.parse(delivery.metadata.next_send_time)).not.toBeNaN()

      const got = await t.api('GET', t.p(`/eventdeliveries/${delivery.uid}`))
      expect(got.status).toBe(200)
      expect(got.json.message).toBe('Event delivery fetched successfully')
      expect(got.json.data).toMatchObject({uid: delivery.uid, event_id: event.uid, endpoint_id: delivery.endpoint_id})
      expect(DELIVERY_STATUSES).toContain(got.json.data.status)
    }
  })

  it('answers 404 for unknown deliveries and attempts', async () => {
    const t = await useRelay()
    const res = await t.api('GET', t.p(`/eventdeliveries/${UNKNOWN}`))
    expect(res.status).toBe(404)
    expect(res.json.message).toBe(`event delivery ${UNKNOWN} not found`)
    expect((await t.api('GET', t.p(`/eventdeliveries/${UNKNOWN}/deliveryattempts`))).status).toBe(404)

    await subscribedEndpoint(t)
    const event = await sendEvent(t, 'broadcast', {event_type: 'x', data: {}})
    const [delivery] = await deliveriesOf(t, event.uid)
    const attempt = await t.api('GET', t.p(`/eventdeliveries/${delivery.uid}/deliveryattempts/${UNKNOWN}`))
    expect(attempt.status).toBe(404)
    expect(attempt.json.message).toBe(`delivery attempt ${UNKNOWN} not found`)
  })

  it('lists no attempts for a delivery that was never sent', async () => {
    const t = await useRelay({deliver: false})
    await subscribedEndpoint(t)
    const event = await sendEvent(t, 'broadcast', {event_type: 'x', data: {}})
    const [delivery] = await deliveriesOf(t, event.uid)
    expect(delivery.status).toBe('Scheduled')
    const res = await t.api('GET', t.p(`/eventdeliveries/${delivery.uid}/deliveryattempts`))
    expect(res.status).toBe(200)
    expect(res.json).toEqual({status: true, message: 'App event delivery attempts fetched successfully', data: []})
  })

  it("lists the attempts recorded for a delivery, each in Convoy's shape", async () => {
    const t = await useRelay()
    await subscribedEndpoint(t)
    const event = await sendEvent(t, 'broadcast', {event_type: 'x', data: {hello: 'world'}})
    const [created] = await deliveriesOf(t, event.uid)
    // The relay's dispatcher delivers it to the receiver, which answers 200.
    const delivery = await waitFor(
      async () => {
        const current = (await t.api('GET', t.p(`/eventdeliveries/${created.uid}`))).json.data
        return current.status === 'Success' && current
      },
      {what: 'the delivery to succeed'},
    )
    const res = await t.api('GET', t.p(`/eventdeliveries/${delivery.uid}/deliveryattempts`))
    expect(res.status).toBe(200)
    expect(res.json.data).toHaveLength(1)
    const last = res.json.data[0]
    expect(last).toMatchObject({
      msg_id: delivery.uid,
      endpoint_id: delivery.endpoint_id,
      project_id: t.projectId,
      url: `${t.receiver.url}/hook`,
      method: 'POST',
      http_status: '200',
      status: true,
    })
    const one = await t.api('GET', t.p(`/eventdeliveries/${delivery.uid}/deliveryattempts/${last.uid}`))
    expect(one.status).toBe(200)
    expect(one.json.data).toEqual(last)
    expect(t.receiver.requests.some((r) => r.body.toString('utf8') === JSON.stringify({hello: 'world'}))).toBe(true)
  })

  it('filters by status, rejecting unknown statuses with 400', async () => {
    // No dispatcher: the statuses set below in the store are the ones listed.
    const t = await useRelay({deliver: false})
    await subscribedEndpoint(t)
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push((await deliveriesOf(t, (await sendEvent(t, 'broadcast', {event_type: 'x', data: {i}})).uid))[0].uid)
    const statuses = ['Scheduled', 'Success', 'Failure', 'Retry', 'Discarded']
    const setStatus = t.relay.db.prepare('UPDATE deliveries SET status = ?, next_attempt_at = ? WHERE id = ?')
    ids.forEach((id, i) => setStatus.run(statuses[i], Date.now() + 3_600_000, id))

    expect(await listDeliveries(t, {status: 'Success'})).toEqual([ids[1]])
    expect(await listDeliveries(t, {status: ['Failure', 'Discarded']})).toEqual([ids[2], ids[4]])
    expect(await listDeliveries(t, {'status[]': ['Scheduled', 'Retry']})).toEqual([ids[0], ids[3]])
    expect(await listDeliveries(t, {status: 'Success,Retry'})).toEqual([ids[1], ids[3]])
    expect(await listDeliveries(t, {status: 'success'})).toEqual([ids[1]])
    expect(await listDeliveries(t, {status: 'Processing'})).toEqual([])
    expect(await listDeliveries(t)).toEqual(ids)

    const bad = await t.api('GET', t.p('/eventdeliveries') + qs({status: ['Success', 'Delivered']}))
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(
      /^status must be one of Scheduled, Processing, Success, Failure, Retry, Discarded \(got "Delivered"\)/,
    )

    // The event's own status follows its deliveries.
    const events = (await t.api('GET', t.p('/events') + qs({sort: 'ASC'}))).json.data.content
    expect(events.map((e: {status: string}) => e.status)).toEqual([
      'Processing',
      'Success',
      'Failure',
      'Retry',
      'Failure',
    ])
  })

  it('filters by endpoint, event, event type, subscription and idempotency key', async () => {
    const t = await useRelay()
    const a = await subscribedEndpoint(t, {event_types: ['a.*', 'shared']})
    const b = await subscribedEndpoint(t, {event_types: ['b.*', 'shared']})
    const c = await subscribedEndpoint(t, {event_types: ['shared']})
    const e1 = await sendEvent(t, 'broadcast', {event_type: 'a.one', data: {}})
    const e2 = await sendEvent(t, 'broadcast', {event_type: 'shared', data: {}, idempotency_key: 'k-shared'})
    const e3 = await sendEvent(t, 'broadcast', {event_type: 'b.one', data: {}})
    const [d1] = await deliveriesOf(t, e1.uid)
    const d2 = await deliveriesOf(t, e2.uid)
    const [d3] = await deliveriesOf(t, e3.uid)
    const d2For = (endpointId: string) => d2.find((d) => d.endpoint_id === endpointId).uid
    expect(d2).toHaveLength(3)

    expect(await listDeliveries(t, {endpointId: a.endpointId})).toEqual([d1.uid, d2For(a.endpointId)])
    expect(await listDeliveries(t, {endpointId: [a.endpointId, b.endpointId]})).toEqual([
      d1.uid,
      d2For(a.endpointId),
      d2For(b.endpointId),
      d3.uid,
    ])
    expect(await listDeliveries(t, {'endpointId[]': [c.endpointId]})).toEqual([d2For(c.endpointId)])
    expect(await listDeliveries(t, {eventId: e2.uid})).toEqual(d2.map((d) => d.uid).sort())
    expect(await listDeliveries(t, {event_type: 'b.one'})).toEqual([d3.uid])
    expect(await listDeliveries(t, {subscriptionId: b.subscriptionId})).toEqual([d2For(b.endpointId), d3.uid])
    expect(await listDeliveries(t, {idempotencyKey: 'k-shared'})).toEqual(d2.map((d) => d.uid).sort())
    expect(await listDeliveries(t, {eventId: e1.uid, endpointId: b.endpointId})).toEqual([])
    expect(await listDeliveries(t, {eventId: UNKNOWN})).toEqual([])
  })

  it('keeps to the startDate/endDate window', async () => {
    const t = await useRelay()
    await subscribedEndpoint(t)
    const made: {uid: string; created_at: string}[] = []
    for (let i = 0; i < 3; i++) {
      const event = await sendEvent(t, 'broadcast', {event_type: 'w', data: {i}})
      made.push((await deliveriesOf(t, event.uid))[0])
      await nextMillisecond()
    }
    const [d1, d2, d3] = made
    expect(await listDeliveries(t, {startDate: d2.created_at})).toEqual([d2.uid, d3.uid])
    expect(await listDeliveries(t, {endDate: d2.created_at})).toEqual([d1.uid, d2.uid])
    expect(await listDeliveries(t, {startDate: d2.created_at, endDate: d2.created_at})).toEqual([d2.uid])
    const convoy = (ms: number) => new Date(ms).toISOString().slice(0, 19)
    const day = 24 * 3600 * 1000
    expect(await listDeliveries(t, {startDate: convoy(Date.now() - day), endDate: convoy(Date.now() + day)})).toEqual(
      made.map((d) => d.uid),
    )
    expect(await listDeliveries(t, {startDate: convoy(Date.now() + day)})).toEqual([])

    const bad = await t.api('GET', t.p('/eventdeliveries') + qs({endDate: 'soon'}))
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/^endDate is not a valid date/)
  })

  it('pages through 45 deliveries forwards and backwards, both sort orders', async () => {
    const t = await useRelay()
    await subscribedEndpoint(t)
    await subscribedEndpoint(t)
    await subscribedEndpoint(t)
    const ids: string[] = []
    for (let i = 0; i < 15; i++) {
      const event = await sendEvent(t, 'broadcast', {event_type: 'tick', data: {i}})
      ids.push(...(await deliveriesOf(t, event.uid)).map((d) => d.uid).sort())
    }
    expect(ids).toHaveLength(45)
    for (const sort of ['DESC', 'ASC'] as const) {
      for (const perPage of [10, 8, 45]) {
        expectCompleteWalk(await walkPages(t.api, t.p('/eventdeliveries'), {perPage, sort}), ids, perPage, sort)
      }
    }
    const filtered = await walkPages(t.api, t.p('/eventdeliveries'), {
      perPage: 6,
      sort: 'DESC',
      query: {event_type: 'tick'},
    })
    expectCompleteWalk(filtered, ids, 6, 'DESC')
  })
})
