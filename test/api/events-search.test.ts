import {describe, expect, it} from 'vitest'

import {Router} from '../../src/api/router.js'
import {waitFor} from '../helpers/delivery.js'
import {createEndpoint, createSubscription, sendEvent, subscribedEndpoint} from '../helpers/fixtures.js'
import {qs, useRelay, type TestRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

async function listed(t: TestRelay, query: Record<string, string>): Promise<string[]> {
  const res = await t.api('GET', t.p('/events') + qs({perPage: 100, ...query}))
  expect(res.status, JSON.stringify(res.json)).toBe(200)
  return res.json.data.content.map((e: {event_type: string}) => e.event_type).sort()
}

describe('the router', () => {
  it('prefers fixed segments over parameters, whatever order routes were added in', () => {
    const router = new Router<string>()
    router.add('GET', '/events/:id', () => ({status: 200, message: 'by id'}))
    router.add('GET', '/events/count', () => ({status: 200, message: 'count'}))
    router.add('POST', '/events/:id/replay', () => ({status: 200, message: 'replay'}))
    const message = (method: string, path: string) => {
      const m = router.match(method, path.split('/').slice(1))
      return typeof m === 'object' ? (m.handler('', {} as never) as {message: string}).message : m
    }
    expect(message('GET', '/events/count')).toBe('count')
    expect(message('GET', '/events/other')).toBe('by id')
    expect(message('POST', '/events/count/replay')).toBe('replay')
    expect(message('DELETE', '/events/count')).toBe('method')
    expect(message('GET', '/nothing')).toBeUndefined()
  })
})

describe('events: search, count, dynamic', () => {
  it('filters the list by `query` (type or body text) and by a `body` filter, and counts the same way', async () => {
    const t = await useRelay()
    const {endpointId} = await subscribedEndpoint(t)
    await sendEvent(t, 'endpoint', {
      endpoint_id: endpointId,
      event_type: 'invoice.paid',
      data: {amount: 50, who: 'Acme'},
    })
    await sendEvent(t, 'endpoint', {endpoint_id: endpointId, event_type: 'invoice.voided', data: {amount: 500}})
    await sendEvent(t, 'endpoint', {endpoint_id: endpointId, event_type: 'user.created', data: {name: 'acme corp'}})

    expect(await listed(t, {query: 'INVOICE'})).toEqual(['invoice.paid', 'invoice.voided'])
    expect(await listed(t, {query: 'acme'})).toEqual(['invoice.paid', 'user.created'])
    expect(await listed(t, {body: JSON.stringify({amount: {$gte: 100}})})).toEqual(['invoice.voided'])
    expect(await listed(t, {query: 'invoice', body: JSON.stringify({who: 'Acme'})})).toEqual(['invoice.paid'])

    const count = await t.api('GET', t.p('/events/countbatchreplayevents') + qs({query: 'invoice'}))
    expect(count.status).toBe(200)
    expect(count.json.data).toEqual({num: 2})
    const all = await t.api('GET', t.p('/events/countbatchreplayevents'))
    expect(all.json.data).toEqual({num: 3})
  })

  it('answers 400 naming the problem for a bad `body` filter', async () => {
    const t = await useRelay()
    const notJson = await t.api('GET', t.p('/events') + qs({body: '{nope'}))
    expect(notJson.status).toBe(400)
    expect(notJson.json.message).toMatch(/^body: not valid JSON/)
    const badOp = await t.api('GET', t.p('/events/countbatchreplayevents') + qs({body: '{"a":{"$nope":1}}'}))
    expect(badOp.status).toBe(400)
    expect(badOp.json.message).toMatch(/^body\.a: .*\$nope/)
  })

  it('delivers a dynamic event to a URL, creating its endpoint and subscription once and reusing them', async () => {
    const t = await useRelay()
    const url = `${t.receiver.url}/dynamic`
    const first = await t.api('POST', t.p('/events/dynamic'), {
      url,
      event_type: 'order.placed',
      event_types: ['order.*'],
      data: {order: 1},
      secret: 'dyn-secret',
    })
    expect(first.status, JSON.stringify(first.json)).toBe(201)
    expect(first.json.data).toMatchObject({event_type: 'order.placed', created: {endpoint: true, subscription: true}})
    const got = await waitFor(() => t.receiver.requests.find((r) => r.url === '/dynamic'), {what: 'the dynamic event'})
    expect(JSON.parse(got.body.toString())).toEqual({order: 1})

    const second = await t.api('POST', t.p('/events/dynamic'), {url, event_type: 'order.shipped', data: {order: 2}})
    expect(second.status).toBe(201)
    expect(second.json.data).toMatchObject({
      endpoint_id: first.json.data.endpoint_id,
      subscription_id: first.json.data.subscription_id,
      created: {endpoint: false, subscription: false},
    })
    await waitFor(() => t.receiver.requests.filter((r) => r.url === '/dynamic').length === 2, {what: 'second'})
    const endpoints = await t.api('GET', t.p('/endpoints'))
    expect(endpoints.json.data.content).toHaveLength(1)
    expect(endpoints.json.data.content[0]).toMatchObject({url})
    // An event type outside the subscription's event_types is stored but not delivered.
    const other = await t.api('POST', t.p('/events/dynamic'), {url, event_type: 'user.created', data: {}})
    expect(other.json.data.endpoints).toEqual([])

    const bad = await t.api('POST', t.p('/events/dynamic'), {url: 'ftp://x', data: {}}, {offSpec: true})
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/^url must be an http or https URL/)
    expect((await t.api('GET', t.p('/endpoints'))).json.data.content).toHaveLength(1)
  })

  it('reports period failure rates per endpoint, and 404 for an unknown endpoint', async () => {
    const t = await useRelay()
    const a = await createEndpoint(t, {name: 'a'})
    await createSubscription(t, a)
    const b = await createEndpoint(t, {name: 'b'})
    const id = (await sendEvent(t, 'endpoint', {endpoint_id: a, event_type: 'x', data: {}})).uid
    await waitFor(async () => {
      const d = await t.api('GET', t.p('/eventdeliveries') + qs({eventId: id}))
      return d.json.data.content[0]?.status === 'Success'
    })
    const res = await t.api('GET', t.p('/endpoints/period-failure-rates'))
    expect(res.status).toBe(200)
    expect(res.json.data).toEqual(
      expect.arrayContaining([
        {uid: a, success_count: 1, failure_count: 0, retry_count: 0, period_failure_rate: 0},
        {uid: b, success_count: 0, failure_count: 0, retry_count: 0, period_failure_rate: 0},
      ]),
    )
    const one = await t.api('GET', t.p('/endpoints/period-failure-rates') + qs({endpointId: [b]}))
    expect(one.json.data).toHaveLength(1)
    const missing = await t.api('GET', t.p('/endpoints/period-failure-rates') + qs({endpointId: [UNKNOWN]}))
    expect(missing.status).toBe(404)
  })
})
