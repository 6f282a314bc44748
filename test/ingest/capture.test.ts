import {createHmac, randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {createSource, deliveriesOfEvent, eventsOf, getEvent, rawRequest, relayServes} from '../helpers/listen.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'

/**
 * `ANY /ingest/{mask}[/path]` keeps the request exactly as it came: method, path suffix,
 * query, header lines and body bytes (JSON, form, XML, binary alike); event types and
 * idempotency keys come from the configured locations; limits and custom responses apply
 * per source; bad requests get clear errors and leave the relay serving.
 */

const bytesOf = (event: {body_base64: string}) => Buffer.from(event.body_base64, 'base64')

async function send(t: TestRelay, url: string, opts: Parameters<typeof rawRequest>[1]) {
  const res = await rawRequest(url, opts)
  expect(res.status, res.text).toBe(200)
  const id = res.headers['x-caravan-event-id'] as string
  expect(id).toMatch(/^[0-9A-Z]{26}$/)
  return {res, event: await getEvent(t, id)}
}

async function registerListener(t: TestRelay, source: string): Promise<void> {
  const res = await fetch(`${t.url}${t.p('/listeners')}`, {
    method: 'POST',
    headers: {authorization: `Bearer ${t.key}`, 'content-type': 'application/json'},
    body: JSON.stringify({name: `l-${source}`, source, target: 'http://127.0.0.1:9/hooks'}),
  })
  expect(res.status).toBe(201)
}

describe('raw capture', () => {
  it('keeps every body byte for byte: odd JSON, form, XML, binary with invalid UTF-8, empty', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'raw'})
    const bodies: [string, string, Buffer][] = [
      ['application/json', 'odd JSON', Buffer.from('{ "z" :1,\n\t"a":[ 1 ,2.50 ],"a":3 ,"é":"\\u00e9\\/"}  \r\n')],
      [
        'application/x-www-form-urlencoded',
        'form',
        Buffer.from('payload=%7B%22action%22%3A%22opened%22%7D&b=+x+&c=%E2%9C%93&c=2&empty='),
      ],
      [
        'application/xml',
        'XML in ISO-8859-1',
        Buffer.concat([
          Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<note>caf'),
          Buffer.from([0xe9]),
          Buffer.from('</note>\n'),
        ]),
      ],
      [
        'application/octet-stream',
        'binary',
        Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xed, 0xa0, 0x80]), randomBytes(8192)]),
      ],
      ['text/plain; charset=utf-8', 'empty', Buffer.alloc(0)],
    ]
    for (const [type, what, body] of bodies) {
      const {event} = await send(t, source.url, {headers: {'content-type': type}, body})
      expect(bytesOf(event).equals(body), what).toBe(true)
      expect(event.headers['content-type'], what).toEqual([type])
    }
    // Text views are only offered when they are exact.
    const [json, form, xml, binary] = await eventsOf(t, source.uid)
    expect(json.raw).toBe(bodies[0][2].toString('utf8'))
    expect(form.data).toBeNull()
    expect(xml.raw).toBe('')
    expect(binary.raw).toBe('')
    expect(binary.data).toBeNull()
  })

  it('a large binary body (above the default 1 MiB of many gateways) arrives intact', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'big'})
    expect(source.body_limit).toBe(10 * 1024 * 1024)
    const body = randomBytes(3 * 1024 * 1024)
    const {event} = await send(t, source.url, {
      headers: {'content-type': 'application/octet-stream'},
      body,
      chunked: true,
    })
    expect(bytesOf(event).equals(body)).toBe(true)
  })

  it('keeps method, path suffix, query and header lines (repeated headers apart)', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'shape'})
    const put = await send(t, source.url, {
      method: 'PUT',
      suffix: '/orders/42/items?x=1&x=2&y=%20z&flag',
      headers: {
        'X-Rep': ['first', 'second'],
        'X-Case-Kept': 'MiXeD value ',
        'X-Latin': 'caf\u00e9',
        'content-type': 'application/json',
      },
      body: '{"a":1}',
    })
    expect(put.event).toMatchObject({
      method: 'PUT',
      url_path: '/orders/42/items',
      url_query_params: 'x=1&x=2&y=%20z&flag',
    })
    expect(put.event.headers['x-rep']).toEqual(['first', 'second'])
    expect(put.event.headers['x-case-kept']).toEqual(['MiXeD value'])
    expect(put.event.headers['x-latin']).toEqual(['caf\u00e9'])
    expect(put.event.headers.host).toEqual([new URL(t.url).host])

    const patch = await send(t, source.url, {method: 'PATCH', suffix: '?only=query', body: 'x'})
    expect(patch.event).toMatchObject({method: 'PATCH', url_path: '', url_query_params: 'only=query'})
    const del = await send(t, source.url, {method: 'DELETE', suffix: '/a%20b/'})
    expect(del.event).toMatchObject({method: 'DELETE', url_path: '/a%20b/', url_query_params: ''})
    const get = await send(t, source.url, {method: 'GET', suffix: '/ping?challenge=abc'})
    expect(get.event).toMatchObject({method: 'GET', url_path: '/ping', url_query_params: 'challenge=abc'})
    expect(bytesOf(get.event).length).toBe(0)
  })

  it('answers quickly with the Convoy envelope, or the source custom response', async () => {
    const t = await useRelay()
    const plain = await createSource(t, {name: 'plain'})
    const res = await rawRequest(plain.url, {body: '{}'})
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toMatch(/^application\/json/)
    expect(res.text).toBe('{"status":true,"message":"Event received"}')

    const custom = await createSource(t, {
      name: 'custom',
      custom_response: {body: '<Response><Ok/></Response>', content_type: 'application/xml'},
    })
    const answered = await rawRequest(custom.url, {
      body: 'From=%2B15551234567&Body=hi',
      headers: {'content-type': 'application/x-www-form-urlencoded'},
    })
    expect(answered.status).toBe(200)
    expect(answered.headers['content-type']).toBe('application/xml')
    expect(answered.text).toBe('<Response><Ok/></Response>')
    expect((await eventsOf(t, custom.uid)).map((e) => e.raw)).toEqual(['From=%2B15551234567&Body=hi'])
  })
})

describe('event type', () => {
  it('comes from the provider presets', async () => {
    const t = await useRelay()
    const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest()
    const gh = await createSource(t, {name: 'gh', provider: 'github', verifier: {type: 'hmac', hmac: {secret: 'g'}}})
    const body = '{"zen":"Keep it logically awesome."}'
    const ghEvent = await send(t, gh.url, {
      headers: {'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': `sha256=${sign('g', body).toString('hex')}`},
      body,
    })
    expect(ghEvent.event.event_type).toBe('ping')

    const shop = await createSource(t, {
      name: 'shop',
      provider: 'shopify',
      verifier: {type: 'hmac', hmac: {secret: 's'}},
    })
    const shopEvent = await send(t, shop.url, {
      headers: {'X-Shopify-Topic': 'orders/create', 'X-Shopify-Hmac-Sha256': sign('s', body).toString('base64')},
      body,
    })
    expect(shopEvent.event.event_type).toBe('orders/create')

    const stripe = await createSource(t, {
      name: 'stripe',
      provider: 'stripe',
      verifier: {type: 'hmac', hmac: {secret: 'whsec_x'}},
    })
    const stripeBody = '{"id":"evt_9","object":"event","type":"invoice.paid"}'
    const ts = Math.floor(Date.now() / 1000)
    const stripeSig = createHmac('sha256', 'whsec_x').update(`${ts}.${stripeBody}`).digest('hex')
    const stripeEvent = await send(t, stripe.url, {
      headers: {'Stripe-Signature': `t=${ts},v1=${stripeSig}`, 'content-type': 'application/json'},
      body: stripeBody,
    })
    expect(stripeEvent.event.event_type).toBe('invoice.paid')
  })

  it('comes from a configured header, body path (JSON or form) or query parameter', async () => {
    const t = await useRelay()
    const byHeader = await createSource(t, {name: 'h', event_type_location: 'header.X-Kind'})
    expect((await send(t, byHeader.url, {headers: {'x-kind': 'user.created'}, body: '{}'})).event.event_type).toBe(
      'user.created',
    )

    const byBody = await createSource(t, {name: 'b', event_type_location: 'body.data.kind'})
    expect(
      (
        await send(t, byBody.url, {
          headers: {'content-type': 'application/json'},
          body: '{"data":{"kind":"order.paid"}}',
        })
      ).event.event_type,
    ).toBe('order.paid')
    // GitHub's form flavour wraps the JSON in payload=; body.payload.action reaches into it.
    const byForm = await createSource(t, {name: 'f', event_type_location: 'body.payload.action'})
    const form = `payload=${encodeURIComponent('{"action":"opened"}')}`
    expect(
      (await send(t, byForm.url, {headers: {'content-type': 'application/x-www-form-urlencoded'}, body: form})).event
        .event_type,
    ).toBe('opened')

    const byQuery = await createSource(t, {name: 'q', event_type_location: 'query.topic'})
    expect((await send(t, byQuery.url, {suffix: '?topic=cart.updated', body: '{}'})).event.event_type).toBe(
      'cart.updated',
    )

    // Absent, unparsable or malformed: stored anyway with no type.
    expect(
      (await send(t, byBody.url, {headers: {'content-type': 'application/json'}, body: '{"data":'})).event.event_type,
    ).toBe('')
    expect(
      (
        await send(t, byForm.url, {
          headers: {'content-type': 'application/x-www-form-urlencoded'},
          body: '%E0%A4%A&=&&payload=%7B%7D%%',
        })
      ).event.event_type,
    ).toBe('')
    expect((await send(t, byQuery.url, {body: '{}'})).event.event_type).toBe('')
  })
})

describe('idempotency', () => {
  it('a repeated key is stored and flagged, and not forwarded', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'idem', idempotency_keys: ['header.X-Delivery-Id', 'body.id']})
    await registerListener(t, 'idem')
    const first = await send(t, source.url, {headers: {'X-Delivery-Id': 'd-1'}, body: '{"n":1}'})
    const again = await send(t, source.url, {headers: {'X-Delivery-Id': 'd-1'}, body: '{"n":2}'})
    const byBody = await send(t, source.url, {
      headers: {'content-type': 'application/json'},
      body: '{"id":"d-1","n":3}',
    })
    const other = await send(t, source.url, {headers: {'X-Delivery-Id': 'd-2'}, body: '{"n":4}'})
    expect(first.res.json.message).toBe('Event received')
    expect(again.res.json.message).toBe('Duplicate event received')
    expect(byBody.res.json.message).toBe('Duplicate event received')
    expect(other.res.json.message).toBe('Event received')
    expect([first, again, byBody, other].map((x) => [x.event.idempotency_key, x.event.is_duplicate_event])).toEqual([
      ['d-1', false],
      ['d-1', true],
      ['d-1', true],
      ['d-2', false],
    ])
    // The duplicate keeps its own bytes for debugging.
    expect(bytesOf(again.event).toString()).toBe('{"n":2}')
    expect(await deliveriesOfEvent(t, first.event.uid)).toHaveLength(1)
    expect(await deliveriesOfEvent(t, again.event.uid)).toHaveLength(0)
    expect(await deliveriesOfEvent(t, byBody.event.uid)).toHaveLength(0)
    expect(await deliveriesOfEvent(t, other.event.uid)).toHaveLength(1)
  })

  it('GitHub redeliveries (same X-GitHub-Delivery) are duplicates by the preset', async () => {
    const t = await useRelay()
    const source = await createSource(t, {
      name: 'gh',
      provider: 'github',
      verifier: {type: 'hmac', hmac: {secret: 'g'}},
    })
    const body = '{"ref":"refs/heads/main"}'
    const headers = {
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', 'g').update(body).digest('hex')}`,
    }
    const a = await send(t, source.url, {headers, body})
    const b = await send(t, source.url, {headers, body})
    expect([a.event.is_duplicate_event, b.event.is_duplicate_event]).toEqual([false, true])
  })
})

describe('bad input', () => {
  it('an unknown or missing mask id is a 404 and stores nothing', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 's'})
    for (const path of ['/ingest/nosuchmask', '/ingest/nosuchmask/with/path?q=1', '/ingest/', '/ingest']) {
      const res = await rawRequest(t.url + path, {body: '{}'})
      expect(res.status, path).toBe(404)
      expect(res.json.status, path).toBe(false)
      expect(res.json.message, path).toMatch(/no source with ingest id/)
    }
    expect(await eventsOf(t, source.uid)).toHaveLength(0)
    expect(await relayServes(t, source.url)).toBe(true)
  })

  it('a body above the source limit is a 413 (declared or streamed) and stores nothing', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'small', body_limit: 1024})
    expect(source.body_limit).toBe(1024)
    const declared = await rawRequest(source.url, {body: Buffer.alloc(1025, 'a')})
    expect(declared.status).toBe(413)
    expect(declared.json).toEqual({status: false, message: 'request body is 1025 bytes, above the limit of 1024 bytes'})
    const streamed = await rawRequest(source.url, {body: Buffer.alloc(200 * 1024, 'b'), chunked: true})
    expect(streamed.status).toBe(413)
    expect(streamed.json.message).toBe('request body is above the limit of 1024 bytes')
    expect(await eventsOf(t, source.uid)).toHaveLength(0)
    // Exactly at the limit is fine, and the relay kept serving.
    const atLimit = await send(t, source.url, {body: Buffer.alloc(1024, 'c')})
    expect(bytesOf(atLimit.event).length).toBe(1024)
    expect(await relayServes(t, source.url)).toBe(true)
  })

  it('the default limit is 10 MiB', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'default-limit'})
    const over = await rawRequest(source.url, {
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
      headers: {'content-type': 'application/octet-stream'},
    })
    expect(over.status).toBe(413)
    expect(over.json.message).toBe(
      `request body is ${10 * 1024 * 1024 + 1} bytes, above the limit of ${10 * 1024 * 1024} bytes`,
    )
    expect(await eventsOf(t, source.uid)).toHaveLength(0)
    expect(await relayServes(t, source.url)).toBe(true)
  })

  it('malformed form data, invalid UTF-8 and invalid JSON are stored as received', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'odd', event_type_location: 'body.type', idempotency_keys: ['body.id']})
    const cases: [string, Buffer][] = [
      ['application/x-www-form-urlencoded', Buffer.from('%%%=&&=%zz&type=%E0%A4%A&id')],
      ['application/json', Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d])],
      ['application/json', Buffer.from('{"type": "half", ')],
      ['application/x-www-form-urlencoded; charset=utf-8', Buffer.from([0x61, 0x3d, 0xff, 0xfe])],
    ]
    for (const [type, body] of cases) {
      const {event} = await send(t, source.url, {headers: {'content-type': type}, body})
      expect(bytesOf(event).equals(body), body.toString('hex')).toBe(true)
      expect(event.is_duplicate_event).toBe(false)
    }
    expect(await relayServes(t, source.url)).toBe(true)
  })

  it('a disabled source refuses with 403 and stores nothing', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'off', is_disabled: true})
    const res = await rawRequest(source.url, {body: '{}'})
    expect(res.status).toBe(403)
    expect(res.json.message).toBe('source off is disabled')
    expect(await eventsOf(t, source.uid)).toHaveLength(0)
  })
})
