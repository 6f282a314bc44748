import {describe, expect, it} from 'vitest'

import {createEndpoint, createSubscription, sendEvent, subscribedEndpoint} from '../helpers/fixtures.js'
import {useRelay, type TestRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

/** Endpoints an event was routed to, as stored with it. */
async function routedTo(t: TestRelay, endpointId: string, eventType: string, data: unknown): Promise<boolean> {
  const event = await sendEvent(t, 'endpoint', {endpoint_id: endpointId, event_type: eventType, data})
  return event.endpoints.includes(endpointId)
}

describe('subscription filters', () => {
  it('creates, lists, gets, updates, bulk-creates, bulk-updates and deletes filters', async () => {
    const t = await useRelay({deliver: false})
    const {subscriptionId} = await subscribedEndpoint(t)
    const f = (suffix = '') => t.p(`/subscriptions/${subscriptionId}/filters${suffix}`)

    const created = await t.api('POST', f(), {event_type: 'invoice.paid', body: {amount: {$gte: 100}}})
    expect(created.status, JSON.stringify(created.json)).toBe(201)
    const filter = created.json.data
    expect(filter).toMatchObject({
      subscription_id: subscriptionId,
      event_type: 'invoice.paid',
      body: {amount: {$gte: 100}},
      raw_body: {amount: {$gte: 100}},
      headers: {},
      enabled_at: expect.any(String),
    })
    expect((await t.api('GET', f(`/${filter.uid}`))).json.data).toEqual(filter)

    const updated = await t.api('PUT', f(`/${filter.uid}`), {headers: {'x-tenant': 'acme'}})
    expect(updated.status).toBe(200)
    expect(updated.json.data).toMatchObject({
      event_type: 'invoice.paid',
      body: {amount: {$gte: 100}},
      headers: {'x-tenant': 'acme'},
    })

    const bulk = await t.api('POST', f('/bulk'), [
      {event_type: 'user.created', body: {plan: 'pro'}},
      {event_type: '*', body: {}},
    ])
    expect(bulk.status).toBe(201)
    expect(bulk.json.data.map((x: {event_type: string}) => x.event_type)).toEqual(['user.created', '*'])

    const bulkUpdated = await t.api('PUT', f('/bulk_update'), [
      {uid: bulk.json.data[0].uid, body: {plan: 'team'}},
      {uid: filter.uid, enabled_at: {set: false}},
    ])
    expect(bulkUpdated.status).toBe(200)
    expect(bulkUpdated.json.data).toMatchObject([{body: {plan: 'team'}}, {enabled_at: null}])

    const list = await t.api('GET', f())
    expect(list.json.data).toHaveLength(3)

    const deleted = await t.api('DELETE', f(`/${filter.uid}`))
    expect(deleted.status).toBe(200)
    expect((await t.api('GET', f(`/${filter.uid}`))).status).toBe(404)
    expect((await t.api('GET', f())).json.data).toHaveLength(2)
  })

  it('rejects bad filters with 400 naming the problem, and changes nothing', async () => {
    const t = await useRelay({deliver: false})
    const {subscriptionId} = await subscribedEndpoint(t)
    const f = (suffix = '') => t.p(`/subscriptions/${subscriptionId}/filters${suffix}`)
    const first = (await t.api('POST', f(), {event_type: 'a'})).json.data
    const before = storeSnapshot(t.relay.db)
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', f(), {body: {}}, /^event_type is required/],
      ['POST', f(), {event_type: 'b', body: {x: {$bogus: 1}}}, /^body\.x: .*\$bogus/],
      ['POST', f(), {event_type: 'a'}, /two filters for "a"/],
      ['POST', f(), {event_type: 'b', path: {id: 1}}, /^path: path filters are not supported/],
      ['POST', f('/bulk'), [{event_type: 'b'}, {event_type: 'b'}], /two filters for "b"/],
      ['POST', f('/bulk'), [{event_type: 'c'}, {event_type: 'd', headers: 'x'}], /^\[1\]\.headers must be an object/],
      ['POST', f('/bulk'), {event_type: 'b'}, /must be a JSON array/],
      ['PUT', f('/bulk_update'), [{uid: first.uid, body: {}}, {uid: UNKNOWN}], /filter .* not found/],
      ['PUT', f(`/${first.uid}`), {enabled_at: 'yesterday'}, /^enabled_at is not a valid date/],
    ]
    for (const [method, path, body, message] of cases) {
      const res = await t.api(method, path, body, {offSpec: true})
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400)
      expect(res.json.message).toMatch(message)
    }
    expect(storeSnapshot(t.relay.db)).toBe(before)
    expect((await t.api('GET', t.p(`/subscriptions/${UNKNOWN}/filters`))).status).toBe(404)
    const other = await subscribedEndpoint(t)
    expect((await t.api('GET', t.p(`/subscriptions/${other.subscriptionId}/filters/${first.uid}`))).status).toBe(404)
  })

  it('route events: a type-specific filter, else the `*` filter, else the subscription filter', async () => {
    const t = await useRelay({deliver: false})
    const endpointId = await createEndpoint(t)
    const subscriptionId = await createSubscription(t, endpointId, {body: {region: 'eu'}})
    const f = t.p(`/subscriptions/${subscriptionId}/filters`)
    const test = async (eventType: string, payload: unknown) =>
      (await t.api('POST', `${f}/test/${eventType}`, {payload})).json.data.is_match as boolean

    // No per-type filters: the subscription's own filter decides.
    expect(await routedTo(t, endpointId, 'user.created', {region: 'eu'})).toBe(true)
    expect(await routedTo(t, endpointId, 'user.created', {region: 'us'})).toBe(false)

    await t.api('POST', f, {event_type: 'invoice.paid', body: {amount: {$gte: 100}}})
    for (const [type, data, expected] of [
      ['invoice.paid', {amount: 150}, true],
      ['invoice.paid', {amount: 50, region: 'eu'}, false],
      ['user.created', {region: 'eu'}, true],
    ] as const) {
      expect(await routedTo(t, endpointId, type, data), `${type} ${JSON.stringify(data)}`).toBe(expected)
      expect(await test(type, data), `test/${type}`).toBe(expected)
    }

    await t.api('POST', f, {event_type: '*', body: {vip: true}})
    expect(await routedTo(t, endpointId, 'user.created', {region: 'eu'})).toBe(false)
    expect(await routedTo(t, endpointId, 'user.created', {vip: true})).toBe(true)
    expect(await test('user.created', {vip: true})).toBe(true)

    // A disabled filter is kept but not applied.
    const list = (await t.api('GET', f)).json.data
    const star = list.find((x: {event_type: string}) => x.event_type === '*')
    await t.api('PUT', `${f}/${star.uid}`, {enabled_at: {set: false}})
    expect(await routedTo(t, endpointId, 'user.created', {region: 'eu'})).toBe(true)

    // Header filters per type, with the request scopes of the tester.
    await t.api('PUT', `${f}/${star.uid}`, {
      enabled_at: {set: true, time: new Date().toISOString()},
      body: {},
      headers: {'x-tenant': 'acme'},
    })
    const headerTest = await t.api('POST', `${f}/test/order.created`, {
      request: {body: {}, header: {'X-Tenant': 'acme'}},
    })
    expect(headerTest.json.data).toEqual({is_match: true})
  })

  it('toggle_status makes a subscription inactive (routes nothing) and active again', async () => {
    const t = await useRelay({deliver: false})
    const {endpointId, subscriptionId} = await subscribedEndpoint(t)
    const off = await t.api('PUT', t.p(`/subscriptions/${subscriptionId}/toggle_status`))
    expect(off.status).toBe(202)
    expect(off.json.data).toMatchObject({uid: subscriptionId, status: 'inactive'})
    expect(await routedTo(t, endpointId, 'x', {})).toBe(false)
    const on = await t.api('PUT', t.p(`/subscriptions/${subscriptionId}/toggle_status`))
    expect(on.json.data.status).toBe('active')
    expect(await routedTo(t, endpointId, 'x', {})).toBe(true)
    expect((await t.api('PUT', t.p(`/subscriptions/${UNKNOWN}/toggle_status`))).status).toBe(404)
  })

  it('test_filter answers whether a request matches a schema, and 400 for a bad schema', async () => {
    const t = await useRelay({deliver: false})
    const url = t.p('/subscriptions/test_filter')
    const yes = await t.api('POST', url, {
      request: {body: {amount: 1500, tags: ['a', 'b']}, header: {'X-Tenant': 'acme'}},
      schema: {body: {amount: {$gte: 1000}, tags: 'b'}, header: {'x-tenant': 'acme'}},
    })
    expect(yes.status).toBe(200)
    expect(yes.json.data).toBe(true)
    const no = await t.api('POST', url, {request: {body: {amount: 5}}, schema: {body: {amount: {$gte: 1000}}}})
    expect(no.json.data).toBe(false)
    const bad = await t.api('POST', url, {request: {body: {}}, schema: {body: {$or: 'x'}}})
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/^schema\.body/)
  })
})
