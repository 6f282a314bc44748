import {describe, expect, it} from 'vitest'

import {
  FRESH_DELIVERY_STATUSES,
  createEndpoint,
  createSubscription,
  deliveriesOf,
  nextMillisecond,
  sendEvent,
  subscribedEndpoint,
} from '../helpers/fixtures.js'
import {expectCompleteWalk, walkPages} from '../helpers/paging.js'
import {qs, useRelay, type TestRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

const endpointsOf = (deliveries: {endpoint_id: string}[]) => deliveries.map((d) => d.endpoint_id).sort()
const uids = (list: {uid: string}[]) => list.map((x) => x.uid)

async function listEvents(
  t: TestRelay,
  query: Record<string, string | number | string[] | undefined> = {},
): Promise<string[]> {
  const res = await t.api('GET', t.p('/events') + qs({perPage: 100, ...query}))
  expect(res.status, JSON.stringify(res.json)).toBe(200)
  return uids(res.json.data.content)
}

describe('creating events', () => {
  it('stores an event sent to one endpoint (201) and returns it', async () => {
    const t = await useRelay()
    const {endpointId} = await subscribedEndpoint(t)
    const data = {id: 'inv_1', amount: 1200, nested: {ok: true, list: [1, 'two']}}
    const event = await sendEvent(t, 'endpoint', {
      endpoint_id: endpointId,
      event_type: 'invoice.paid',
      data,
      custom_headers: {'X-Tenant': 'acme'},
      idempotency_key: 'idem-1',
    })
    // Convoy answers 201 with no data; returning the stored event is a Caravan extension.
    expect(event).toMatchObject({
      project_id: t.projectId,
      event_type: 'invoice.paid',
      data,
      raw: JSON.stringify(data),
      headers: {'x-tenant': ['acme']},
      idempotency_key: 'idem-1',
      is_duplicate_event: false,
      endpoints: [endpointId],
      source_id: '',
      // Derived from the deliveries made with the event: one is waiting to be sent.
      status: 'Processing',
    })
    expect(Buffer.from(event.body_base64, 'base64').toString('utf8')).toBe(JSON.stringify(data))

    const got = await t.api('GET', t.p(`/events/${event.uid}`))
    expect(got.status).toBe(200)
    expect(got.json.message).toBe('Event fetched successfully')
    expect(got.json.data).toMatchObject({
      uid: event.uid,
      event_type: 'invoice.paid',
      data,
      endpoints: [endpointId],
      is_duplicate_event: false,
    })
    expect(['Processing', 'Success']).toContain(got.json.data.status)

    const deliveries = await deliveriesOf(t, event.uid)
    expect(deliveries).toHaveLength(1)
    expect(deliveries[0]).toMatchObject({
      event_id: event.uid,
      endpoint_id: endpointId,
      event_type: 'invoice.paid',
      idempotency_key: 'idem-1',
    })
    expect(FRESH_DELIVERY_STATUSES).toContain(deliveries[0].status)
  })

  it('answers 404 for an unknown event id', async () => {
    const t = await useRelay()
    const res = await t.api('GET', t.p(`/events/${UNKNOWN}`))
    expect(res.status).toBe(404)
    expect(res.json.message).toBe(`event ${UNKNOWN} not found`)
  })

  it('rejects bad input with 400 naming the field, and stores nothing', async () => {
    const t = await useRelay()
    const {endpointId} = await subscribedEndpoint(t)
    const ok = {endpoint_id: endpointId, event_type: 'a.b', data: {x: 1}}
    const cases: [string, unknown, RegExp][] = [
      ['/events', {event_type: 'a.b', data: {}}, /^endpoint_id is required/],
      ['/events', {...ok, endpoint_id: UNKNOWN}, new RegExp(`^endpoint_id: endpoint ${UNKNOWN} not found`)],
      ['/events', {endpoint_id: endpointId, data: {}}, /^event_type is required/],
      ['/events', {endpoint_id: endpointId, event_type: 'a.b'}, /^data is required/],
      ['/events', {...ok, custom_headers: {'X-Num': 5}}, /^custom_headers\.X-Num must be a string/],
      [
        '/events',
        {...ok, custom_headers: {'Bad Header': 'v'}},
        /^custom_headers: "Bad Header" is not a valid header name/,
      ],
      ['/events', {...ok, custom_headers: ['x']}, /^custom_headers must be an object/],
      ['/events', {...ok, idempotency_key: 7}, /^idempotency_key must be a string/],
      ['/events/fanout', {event_type: 'a.b', data: {}}, /^owner_id is required/],
      ['/events/broadcast', {data: {}}, /^event_type is required/],
      ['/events/broadcast', {event_type: 'a.b'}, /^data is required/],
    ]
    for (const [path, body, message] of cases) {
      const res = await t.api('POST', t.p(path), body, {offSpec: true})
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400)
      expect(res.json).toMatchObject({status: false, message: expect.stringMatching(message)})
    }
    const bad = await t.api('POST', t.p('/events'), undefined, {raw: '{"endpoint_id": "x", '})
    expect(bad.status).toBe(400)
    expect(await listEvents(t)).toEqual([])
    expect((await t.api('GET', t.p('/eventdeliveries'))).json.data.content).toEqual([])
  })
})

describe('routing events to subscriptions', () => {
  it('lets event-type wildcards and body/header filters decide which endpoints get deliveries', async () => {
    const t = await useRelay()
    const a = await subscribedEndpoint(t, {event_types: ['invoice.*']})
    const b = await subscribedEndpoint(t, {event_types: ['*.paid'], body: {amount: {$gte: 100}}})
    const c = await subscribedEndpoint(t, {event_types: ['user.created']})
    const d = await subscribedEndpoint(t, {event_types: ['*'], headers: {'X-Tenant': 'acme'}})
    const e = await subscribedEndpoint(t, {body: {'customer.country': {$in: ['DE', 'FR']}}})
    const f = await subscribedEndpoint(t, {
      event_types: ['invoice.paid'],
      body: {$or: [{currency: 'eur'}, {amount: {$lt: 10}}]},
    })

    const expectRouted = async (
      body: Record<string, unknown>,
      expected: {endpointId: string; subscriptionId: string}[],
    ) => {
      const event = await sendEvent(t, 'broadcast', body)
      const deliveries = await deliveriesOf(t, event.uid)
      expect(endpointsOf(deliveries), JSON.stringify(body)).toEqual(expected.map((x) => x.endpointId).sort())
      expect([...event.endpoints].sort()).toEqual(expected.map((x) => x.endpointId).sort())
      expect(event.status).toBe(expected.length ? 'Processing' : 'Success')
      for (const delivery of deliveries) {
        const target = expected.find((x) => x.endpointId === delivery.endpoint_id)!
        expect(delivery).toMatchObject({
          event_id: event.uid,
          subscription_id: target.subscriptionId,
          event_type: body.event_type,
          target_url: `${t.receiver.url}/hook`,
          endpoint_metadata: {uid: target.endpointId},
        })
        expect(FRESH_DELIVERY_STATUSES).toContain(delivery.status)
      }
      return event
    }

    await expectRouted(
      {
        event_type: 'invoice.paid',
        data: {amount: 50, currency: 'usd', customer: {country: 'DE'}},
        custom_headers: {'x-tenant': 'acme'},
      },
      [a, d, e],
    )
    await expectRouted(
      {
        event_type: 'invoice.paid',
        data: {amount: 150, currency: 'eur', customer: {country: 'US'}},
        custom_headers: {'X-Tenant': 'globex'},
      },
      [a, b, f],
    )
    await expectRouted({event_type: 'invoice.voided', data: {amount: 5}}, [a])
    await expectRouted({event_type: 'user.created', data: {id: 'u1'}}, [c])
    await expectRouted({event_type: 'order.paid', data: {amount: 999}}, [b])

    // An event nobody subscribes to is still stored, with no deliveries.
    const lonely = await expectRouted({event_type: 'order.shipped', data: {amount: 1}}, [])
    const stored = await t.api('GET', t.p(`/events/${lonely.uid}`))
    expect(stored.status).toBe(200)
    expect(stored.json.data).toMatchObject({event_type: 'order.shipped', endpoints: [], data: {amount: 1}})
    expect(await deliveriesOf(t, lonely.uid)).toEqual([])
  })

  it('sends an event for one endpoint only through that endpoint’s subscriptions', async () => {
    const t = await useRelay()
    const target = await createEndpoint(t)
    const matching = await createSubscription(t, target, {event_types: ['invoice.*']})
    await createSubscription(t, target, {event_types: ['user.*']})
    const bystander = await subscribedEndpoint(t)

    const event = await sendEvent(t, 'endpoint', {endpoint_id: target, event_type: 'invoice.paid', data: {}})
    const deliveries = await deliveriesOf(t, event.uid)
    expect(deliveries.map((d) => [d.endpoint_id, d.subscription_id])).toEqual([[target, matching]])
    expect(endpointsOf(await deliveriesOf(t, event.uid))).not.toContain(bystander.endpointId)

    // An endpoint with no subscription gets nothing.
    const unsubscribed = await createEndpoint(t)
    const none = await sendEvent(t, 'endpoint', {endpoint_id: unsubscribed, event_type: 'invoice.paid', data: {}})
    expect(none.endpoints).toEqual([])
    expect(await deliveriesOf(t, none.uid)).toEqual([])
  })

  it('stops routing to an endpoint once it is deleted, and deletes its subscriptions with it', async () => {
    const t = await useRelay()
    const kept = await subscribedEndpoint(t, {}, {owner_id: 'o'})
    const gone = await subscribedEndpoint(t, {}, {owner_id: 'o'})
    expect((await t.api('DELETE', t.p(`/endpoints/${gone.endpointId}`))).status).toBe(200)

    // As in Convoy, an endpoint's subscriptions go with it.
    expect((await t.api('GET', t.p(`/subscriptions/${gone.subscriptionId}`))).status).toBe(404)
    const subs = (await t.api('GET', t.p('/subscriptions'))).json.data.content
    expect(subs.map((s: {uid: string}) => s.uid)).toEqual([kept.subscriptionId])

    for (const [kind, body] of [
      ['broadcast', {event_type: 'x', data: {}}],
      ['fanout', {owner_id: 'o', event_type: 'x', data: {}}],
    ] as const) {
      const event = await sendEvent(t, kind, body)
      expect(event.endpoints, kind).toEqual([kept.endpointId])
      expect(endpointsOf(await deliveriesOf(t, event.uid)), kind).toEqual([kept.endpointId])
    }
    const direct = await t.api('POST', t.p('/events'), {endpoint_id: gone.endpointId, event_type: 'x', data: {}})
    expect(direct.status).toBe(400)
    expect(direct.json.message).toMatch(/^endpoint_id: endpoint .* not found/)
  })

  it('fans an event out to the endpoints of one owner', async () => {
    const t = await useRelay()
    const o1a = await subscribedEndpoint(t, {}, {owner_id: 'owner-1'})
    const o1b = await subscribedEndpoint(t, {event_types: ['invoice.*']}, {owner_id: 'owner-1'})
    await subscribedEndpoint(t, {event_types: ['user.*']}, {owner_id: 'owner-1'})
    await subscribedEndpoint(t, {}, {owner_id: 'owner-2'})
    await subscribedEndpoint(t)

    const event = await sendEvent(t, 'fanout', {owner_id: 'owner-1', event_type: 'invoice.paid', data: {n: 1}})
    expect(endpointsOf(await deliveriesOf(t, event.uid))).toEqual([o1a.endpointId, o1b.endpointId].sort())

    const nobody = await sendEvent(t, 'fanout', {owner_id: 'owner-404', event_type: 'invoice.paid', data: {}})
    expect(await deliveriesOf(t, nobody.uid)).toEqual([])
  })

  it('flags a repeated idempotency key as a duplicate and makes no deliveries for it', async () => {
    const t = await useRelay()
    const {endpointId} = await subscribedEndpoint(t)
    const body = {endpoint_id: endpointId, event_type: 'invoice.paid', data: {id: 1}, idempotency_key: 'key-1'}
    const first = await sendEvent(t, 'endpoint', body)
    const second = await sendEvent(t, 'endpoint', body)
    const viaBroadcast = await sendEvent(t, 'broadcast', {
      event_type: 'invoice.paid',
      data: {id: 1},
      idempotency_key: 'key-1',
    })
    const other = await sendEvent(t, 'endpoint', {...body, idempotency_key: 'key-2'})

    expect(first.is_duplicate_event).toBe(false)
    expect(second).toMatchObject({is_duplicate_event: true, endpoints: [], idempotency_key: 'key-1'})
    expect(viaBroadcast.is_duplicate_event).toBe(true)
    expect(other.is_duplicate_event).toBe(false)
    expect(second.uid).not.toBe(first.uid)

    expect(await deliveriesOf(t, first.uid)).toHaveLength(1)
    expect(await deliveriesOf(t, second.uid)).toEqual([])
    expect(await deliveriesOf(t, viaBroadcast.uid)).toEqual([])
    expect(await deliveriesOf(t, other.uid)).toHaveLength(1)
    expect((await t.api('GET', t.p(`/events/${second.uid}`))).json.data.is_duplicate_event).toBe(true)

    // Both copies are stored and can be found by their key.
    expect(await listEvents(t, {idempotencyKey: 'key-1', sort: 'ASC'})).toEqual([
      first.uid,
      second.uid,
      viaBroadcast.uid,
    ])
    const deliveries = await t.api('GET', t.p('/eventdeliveries') + qs({idempotencyKey: 'key-1'}))
    expect(deliveries.json.data.content.map((d: {event_id: string}) => d.event_id)).toEqual([first.uid])
  })

  it("an idempotency key is scoped to its project: another project's event with the same key is not a duplicate", async () => {
    const t = await useRelay()
    const {endpointId} = await subscribedEndpoint(t)
    const first = await sendEvent(t, 'endpoint', {
      endpoint_id: endpointId,
      event_type: 'a',
      data: {},
      idempotency_key: 'shared',
    })
    expect(first.is_duplicate_event).toBe(false)

    const created = await t.api('POST', '/api/v1/projects', {name: 'other', type: 'outgoing'})
    expect(created.status).toBe(201)
    const other = `/api/v1/projects/${created.json.data.project.uid}`
    const endpoint = await t.api('POST', `${other}/endpoints`, {name: 'o', url: `${t.receiver.url}/other`})
    expect(endpoint.status).toBe(201)
    const otherEndpoint = endpoint.json.data.uid
    expect((await t.api('POST', `${other}/subscriptions`, {name: 's', endpoint_id: otherEndpoint})).status).toBe(201)
    const body = {endpoint_id: otherEndpoint, event_type: 'a', data: {}, idempotency_key: 'shared'}
    const there = await t.api('POST', `${other}/events`, body)
    expect(there.status).toBe(201)
    expect(there.json.data.is_duplicate_event).toBe(false)
    const delivered = await t.api('GET', `${other}/eventdeliveries` + qs({eventId: there.json.data.uid}))
    expect(delivered.json.data.content).toHaveLength(1)
    // ...while in its own project the key still catches a repeat.
    expect((await t.api('POST', `${other}/events`, body)).json.data.is_duplicate_event).toBe(true)
  })
})

describe('listing events', () => {
  it('filters by endpoint, event type, idempotency key and source', async () => {
    const t = await useRelay()
    const a = await subscribedEndpoint(t, {event_types: ['a.*']})
    const b = await subscribedEndpoint(t, {event_types: ['b.*']})
    const e1 = (await sendEvent(t, 'broadcast', {event_type: 'a.one', data: {}})).uid
    const e2 = (await sendEvent(t, 'broadcast', {event_type: 'b.one', data: {}})).uid
    const e3 = (await sendEvent(t, 'broadcast', {event_type: 'a.one', data: {}, idempotency_key: 'k'})).uid
    const e4 = (await sendEvent(t, 'broadcast', {event_type: 'c.one', data: {}})).uid

    expect(await listEvents(t, {sort: 'ASC'})).toEqual([e1, e2, e3, e4])
    expect(await listEvents(t)).toEqual([e4, e3, e2, e1])
    expect(await listEvents(t, {endpointId: a.endpointId, sort: 'ASC'})).toEqual([e1, e3])
    expect(await listEvents(t, {endpointId: b.endpointId})).toEqual([e2])
    // endpointId is a list in Convoy's spec: repeated, bracketed or comma-separated.
    const both = [a.endpointId, b.endpointId]
    expect(await listEvents(t, {endpointId: both, sort: 'ASC'})).toEqual([e1, e2, e3])
    expect(await listEvents(t, {'endpointId[]': both, sort: 'ASC'})).toEqual([e1, e2, e3])
    expect(await listEvents(t, {endpointId: both.join(','), sort: 'ASC'})).toEqual([e1, e2, e3])
    expect(await listEvents(t, {event_type: 'a.one', sort: 'ASC'})).toEqual([e1, e3])
    expect(await listEvents(t, {idempotencyKey: 'k'})).toEqual([e3])
    // Events made through the API have no source.
    expect(await listEvents(t, {sourceId: UNKNOWN})).toEqual([])
  })

  it('pages through 45 events forwards and backwards, both sort orders', async () => {
    const t = await useRelay()
    const ids: string[] = []
    for (let i = 0; i < 45; i++) ids.push((await sendEvent(t, 'broadcast', {event_type: 'tick', data: {i}})).uid)
    for (const sort of ['DESC', 'ASC'] as const) {
      for (const perPage of [10, 9, 50]) {
        expectCompleteWalk(await walkPages(t.api, t.p('/events'), {perPage, sort}), ids, perPage, sort)
      }
    }
    // Filters hold across pages.
    const walk = await walkPages(t.api, t.p('/events'), {perPage: 4, sort: 'ASC', query: {event_type: 'tick'}})
    expectCompleteWalk(walk, ids, 4, 'ASC')
  })

  it('keeps to the startDate/endDate window', async () => {
    const t = await useRelay()
    const made: {uid: string; created_at: string}[] = []
    for (let i = 0; i < 3; i++) {
      made.push(await sendEvent(t, 'broadcast', {event_type: 'w', data: {i}}))
      await nextMillisecond()
    }
    const [e1, e2, e3] = made
    expect(await listEvents(t, {startDate: e2.created_at, sort: 'ASC'})).toEqual([e2.uid, e3.uid])
    expect(await listEvents(t, {endDate: e2.created_at, sort: 'ASC'})).toEqual([e1.uid, e2.uid])
    expect(await listEvents(t, {startDate: e2.created_at, endDate: e2.created_at})).toEqual([e2.uid])

    // Convoy's own format has no zone and is read as UTC.
    const convoy = (ms: number) => new Date(ms).toISOString().slice(0, 19)
    const now = Date.now()
    const day = 24 * 3600 * 1000
    expect(await listEvents(t, {startDate: convoy(now - day), endDate: convoy(now + day), sort: 'ASC'})).toEqual(
      uids(made),
    )
    expect(await listEvents(t, {startDate: convoy(now + day)})).toEqual([])
    expect(await listEvents(t, {endDate: convoy(now - day)})).toEqual([])
    expect(await listEvents(t, {startDate: new Date(now - day).toISOString().slice(0, 10), sort: 'ASC'})).toEqual(
      uids(made),
    )
    // Instants before 1970 or after ULIDs' last millisecond are the ends of time, not garbage.
    expect(await listEvents(t, {startDate: '1900-01-01', endDate: '+275760-09-13', sort: 'ASC'})).toEqual(uids(made))
    expect(await listEvents(t, {endDate: '1900-01-01'})).toEqual([])

    const bad = await t.api('GET', t.p('/events') + qs({startDate: 'last tuesday'}))
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/^startDate is not a valid date/)
    const badEnd = await t.api('GET', t.p('/events') + qs({endDate: '2026-13-45T99:00:00'}))
    expect(badEnd.status).toBe(400)
    expect(badEnd.json.message).toMatch(/^endDate is not a valid date/)
  })
})
