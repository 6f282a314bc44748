import {createHmac} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {describe, expect, it} from 'vitest'

import {RESPONSE_BODY_LIMIT} from '../../src/delivery/sender.js'
import {startDeliveryRelay, startSink} from '../helpers/delivery.js'

const PACKAGE_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}
).version

describe('delivery: success path', () => {
  it('sends the stored bytes with Caravan headers and records one successful attempt', async () => {
    const sink = await startSink(() => ({
      status: 200,
      headers: {'content-type': 'application/json', 'x-receiver': 'yes'},
      body: '{"received":true}',
    }))
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({
      url: `${sink.url}/hooks?team=a`,
      secret: 'success-secret',
      authentication: {type: 'api_key', api_key: {header_name: 'X-Api-Key', header_value: 'key-123'}},
    })

    // Spaces, escapes, non-ASCII and a float that JSON normalises: what is stored (and
    // sent) is the compact JSON of `data`, not the request's text.
    const raw =
      '{"event_type": "invoice.paid", "data": {"amount": 1.0, "name": "Zo\\u00eb \u2603", "nested": {"list": [1, 2, {"x": null}]}, "empty": ""}}'
    const created = await r.api('POST', r.p('/events/broadcast'), raw)
    expect(created.status).toBe(201)
    const eventId: string = created.json.data.uid
    const expectedBody = Buffer.from(JSON.stringify(JSON.parse(raw).data), 'utf8')
    expect(expectedBody.toString()).toBe('{"amount":1,"name":"Zoë ☃","nested":{"list":[1,2,{"x":null}]},"empty":""}')

    const delivery = await r.delivery(eventId)
    expect(delivery.status).toBe('Success')
    expect(delivery.description).toBe('')
    expect(delivery.metadata.num_trials).toBe(1)

    expect(sink.requests).toHaveLength(1)
    const [received] = sink.requests
    expect(received.method).toBe('POST')
    expect(received.url).toBe('/hooks?team=a')
    expect(received.body.equals(expectedBody)).toBe(true)
    // The bytes the relay keeps for the event are the very bytes that went out.
    const stored = await r.ok('GET', r.p(`/events/${eventId}`))
    expect(Buffer.from(stored.body_base64, 'base64').equals(received.body)).toBe(true)

    expect(received.headers['content-type']).toBe('application/json')
    expect(received.headers['user-agent']).toBe(`Caravan/${PACKAGE_VERSION}`)
    expect(received.headers['x-convoy-event-id']).toBe(eventId)
    expect(received.headers['x-convoy-eventdelivery-id']).toBe(delivery.uid)
    expect(received.headers['x-api-key']).toBe('key-123')
    expect(received.headers['content-length']).toBe(String(expectedBody.length))

    const attempts = await r.attempts(delivery.uid)
    expect(attempts).toHaveLength(1)
    const [attempt] = attempts
    expect(attempt.url).toBe(endpoint.url)
    expect(attempt.status).toBe(true)
    expect(attempt.http_status).toBe('200')
    expect(attempt.error).toBe('')
    expect(attempt.response_data).toBe('{"received":true}')
    expect(attempt.response_http_header).toMatchObject({'content-type': 'application/json', 'x-receiver': 'yes'})
    expect(attempt.request_http_header).toMatchObject({
      'content-type': 'application/json',
      'user-agent': `Caravan/${PACKAGE_VERSION}`,
      'x-convoy-event-id': eventId,
      'x-convoy-eventdelivery-id': delivery.uid,
      'X-Api-Key': 'key-123',
    })
    // Each recorded request header is what the sink saw (names compared case-insensitively).
    for (const [name, value] of Object.entries(attempt.request_http_header ?? {})) {
      expect(received.headers[name.toLowerCase()], name).toBe(value)
    }
    expect(typeof attempt.latency_ms).toBe('number')
    expect(attempt.latency_ms).toBeGreaterThanOrEqual(0)
    expect(attempt.latency_ms).toBeLessThan(5000)
    expect(delivery.latency_seconds).toBe(attempt.latency_ms! / 1000)
  })

  it('sends basic auth and keeps at most 50 KB of a large response body', async () => {
    const big = 'x'.repeat(RESPONSE_BODY_LIMIT * 3)
    const sink = await startSink(() => ({status: 200, body: big}))
    const r = await startDeliveryRelay()
    await r.endpoint({
      url: sink.url,
      authentication: {type: 'basic_auth', basic_auth: {username: 'ana', password: 'p:ss'}},
    })

    const delivery = await r.delivery(await r.broadcast({big: true}))
    expect(delivery.status).toBe('Success')
    expect(sink.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('ana:p:ss').toString('base64')}`)
    const [attempt] = await r.attempts(delivery.uid)
    expect(RESPONSE_BODY_LIMIT).toBe(50 * 1024)
    expect(attempt.response_data).toHaveLength(RESPONSE_BODY_LIMIT)
    expect(attempt.response_data).toBe(big.slice(0, RESPONSE_BODY_LIMIT))
  })

  it('delivers one event to every subscribed endpoint, each with its own delivery id', async () => {
    const a = await startSink()
    const b = await startSink()
    const r = await startDeliveryRelay()
    await r.endpoint({url: a.url})
    await r.endpoint({url: b.url})

    const eventId = await r.broadcast({fan: 'out'})
    await a.waitForRequests(1)
    await b.waitForRequests(1)
    const deliveries = await r.deliveriesOf(eventId)
    expect(deliveries).toHaveLength(2)
    const ids = [a.requests[0].headers['x-convoy-eventdelivery-id'], b.requests[0].headers['x-convoy-eventdelivery-id']]
    expect(new Set(ids).size).toBe(2)
    expect(ids.sort()).toEqual(deliveries.map((d) => d.uid).sort())
    expect(a.requests[0].body.equals(b.requests[0].body)).toBe(true)
  })

  it('forwards custom headers, but never beside (or instead of) the signature, auth or framing headers', async () => {
    const sink = await startSink()
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({
      url: sink.url,
      secret: 'hdr-secret',
      authentication: {type: 'api_key', api_key: {header_name: 'X-Api-Key', header_value: 'real-key'}},
    })
    // Headers the relay sets itself are refused up front, naming the header.
    for (const name of ['X-Convoy-Signature', 'User-Agent', 'Content-Length', 'Connection']) {
      const refused = await r.api('POST', r.p('/events'), {
        endpoint_id: endpoint.uid,
        event_type: 'headers.test',
        data: {a: 1},
        custom_headers: {[name]: 'forged'},
      })
      expect(refused.status).toBe(400)
      expect(refused.json.message).toContain(name)
    }
    // The endpoint's own auth header is not reserved by name, so the builder must win.
    const event = await r.ok('POST', r.p('/events'), {
      endpoint_id: endpoint.uid,
      event_type: 'headers.test',
      data: {a: 1},
      custom_headers: {'X-Custom': 'yes', 'x-api-key': 'forged'},
    })
    const delivery = await r.delivery(event.uid)
    expect(delivery.status).toBe('Success')
    const {headers, body} = sink.requests[0]
    expect(headers['x-custom']).toBe('yes')
    expect(headers['x-convoy-signature']).toBe(createHmac('sha256', 'hdr-secret').update(body).digest('hex'))
    expect(headers['x-api-key']).toBe('real-key')
    expect(headers['user-agent']).toBe(`Caravan/${PACKAGE_VERSION}`)
    expect(headers['content-length']).toBe(String(body.length))
    expect(sink.requests).toHaveLength(1)
  })
})
