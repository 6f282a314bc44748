import {createHmac} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {startSink} from '../helpers/delivery.js'
import {createSource, deliveriesOfEvent, getEvent, rawRequest} from '../helpers/listen.js'
import {listenInProcess} from '../helpers/listen-in-process.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'
import {snapshotDiff, storeSnapshot} from '../helpers/store-snapshot.js'

/**
 * POST /projects/{id}/events/{id}/replay-edited (Caravan extension): the dashboard's
 * "Edit and replay". The relay stores the edited request as a new event and delivers it
 * to endpoints the original reached; the route is not in Convoy's spec, so t.api checks
 * only the envelope.
 */

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64')

async function ingest(url: string, headers: Record<string, string>, body: string | Buffer) {
  const res = await rawRequest(url, {headers, body})
  return {status: res.status, id: res.headers['x-caravan-event-id'] as string}
}

/** An endpoint at `url` subscribed to everything from `sourceId`; its id. */
async function sourceEndpoint(t: TestRelay, sourceId: string, name: string, url: string): Promise<string> {
  const endpoint = await t.api('POST', t.p('/endpoints'), {name, url})
  expect(endpoint.status, JSON.stringify(endpoint.json)).toBe(201)
  const sub = await t.api(
    'POST',
    t.p('/subscriptions'),
    {
      name: `sub-${name}`,
      endpoint_id: endpoint.json.data.uid,
      source_id: sourceId,
      filter_config: {event_types: ['*'], filter: {body: {}, headers: {}}},
    },
    // The stripe provider is a Caravan extension of Convoy's source (test/api/sources.test.ts).
    {extensions: [/^\/data\/source_metadata\/provider must be equal to one of the allowed values/]},
  )
  expect(sub.status, JSON.stringify(sub.json)).toBe(201)
  return endpoint.json.data.uid
}

const replayEdited = (t: TestRelay, eventId: string, body: unknown, key?: string) =>
  t.api('POST', t.p(`/events/${eventId}/replay-edited`), body, key ? {key} : {})

/** Sends `request`, expects `status`, and that the store did not change. */
async function refusedUnchanged(
  t: TestRelay,
  status: number,
  request: () => Promise<{status: number; json: {message: string}}>,
): Promise<string> {
  const before = storeSnapshot(t.relay.db)
  const res = await request()
  expect(res.status, JSON.stringify(res.json)).toBe(status)
  expect(snapshotDiff(before, storeSnapshot(t.relay.db))).toBe('')
  return res.json.message
}

describe('edited replay (POST events/{id}/replay-edited)', () => {
  it('stores the edited bytes as a new event and delivers them byte-equal to the endpoint the original went to', async () => {
    const t = await useRelay()
    const sink = await startSink()
    const source = await createSource(t, {name: 'shop', event_type_location: 'header.X-Event-Type'})
    const endpointId = await sourceEndpoint(t, source.uid, 'sink', `${sink.url}/hook`)
    const original = await ingest(
      source.url,
      {'content-type': 'application/json', 'x-event-type': 'invoice.paid'},
      '{"amount":10}',
    )
    expect(original.status).toBe(200)
    await sink.waitForRequests(1)

    // Not UTF-8 and not JSON: the exact bytes must survive.
    const edited = Buffer.concat([Buffer.from('{"amount":99,"note":"é"}'), Buffer.from([0xff, 0x00, 0x0a])])
    const headers = {'content-type': ['application/json'], 'x-event-type': ['invoice.paid'], 'x-edited': ['yes']}
    const res = await replayEdited(t, original.id, {body_base64: b64(edited), headers})
    expect(res.status, JSON.stringify(res.json)).toBe(201)
    expect(res.json.message).toBe('Edited replay stored and sent to 1 endpoint(s)')
    const made = res.json.data
    expect(made.uid).not.toBe(original.id)
    expect(made).toMatchObject({
      replay_of: original.id,
      source_id: source.uid,
      event_type: 'invoice.paid',
      body_base64: b64(edited),
      headers,
      resigned: false,
      notes: [],
      failure_reason: '',
      is_duplicate_event: false,
    })
    const [, again] = await sink.waitForRequests(2)
    expect(again.body.equals(edited)).toBe(true)

    const deliveries = await deliveriesOfEvent(t, made.uid)
    expect(deliveries).toHaveLength(1)
    expect(deliveries[0].endpoint_id).toBe(endpointId)
    const list = await t.api('GET', t.p('/events?perPage=2'))
    expect(list.json.data.content.map((e: {uid: string}) => e.uid)).toEqual([made.uid, original.id])
    // The original is as it was.
    expect((await getEvent(t, original.id)).body_base64).toBe(b64('{"amount":10}'))
  })

  it('sends the edited headers and body to a running caravan listen, with a GitHub signature re-made over the new bytes', async () => {
    const t = await useRelay()
    const app = await startSink()
    const secret = 'gh-edit-secret'
    const source = await createSource(t, {name: 'gh', provider: 'github', verifier: {type: 'hmac', hmac: {secret}}})
    const sign = (body: string | Buffer) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
    await listenInProcess(t, {source: 'gh', target: `${app.url}/hooks`, name: 'laptop', skipBacklog: true})
    const body = '{"action":"opened","number":1}'
    const original = await ingest(
      source.url,
      {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': 'd-1',
        'x-hub-signature-256': sign(body),
      },
      body,
    )
    expect(original.status).toBe(200)
    await app.waitForRequests(1)

    const edited = '{"action":"closed","number":1}'
    const stored = await getEvent(t, original.id)
    const headers = {...stored.headers, 'x-trace': ['edited in the dashboard']}
    const res = await replayEdited(t, original.id, {body_base64: b64(edited), headers})
    expect(res.status, JSON.stringify(res.json)).toBe(201)
    expect(res.json.data).toMatchObject({resigned: true, notes: ["re-signed with the source's github secret"]})
    expect(res.json.data.headers['x-hub-signature-256']).toEqual([sign(edited)])

    const [, again] = await app.waitForRequests(2)
    expect(again.body.toString()).toBe(edited)
    expect(again.headers['x-trace']).toBe('edited in the dashboard')
    expect(again.headers['x-github-event']).toBe('pull_request')
    // Checked independently of Caravan's signer: HMAC-SHA256 of the bytes the app received.
    expect(again.headers['x-hub-signature-256']).toBe(sign(again.body))
  })

  it('re-signs a Stripe request with a fresh timestamp; a source that cannot sign gets a note instead', async () => {
    const t = await useRelay()
    const sink = await startSink()
    const secret = 'whsec_edit_stripe'
    const stripeSig = (body: string, ts: number) =>
      `t=${ts},v1=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`
    const stripe = await createSource(t, {name: 'stripe', provider: 'stripe', verifier: {type: 'hmac', hmac: {secret}}})
    await sourceEndpoint(t, stripe.uid, 'stripe-sink', sink.url)
    const body = '{"id":"evt_1","type":"invoice.paid"}'
    const ts = Math.floor(Date.now() / 1000) - 60
    const original = await ingest(
      stripe.url,
      {'content-type': 'application/json', 'stripe-signature': stripeSig(body, ts)},
      body,
    )
    expect(original.status).toBe(200)
    const edited = '{"id":"evt_1","type":"invoice.paid","amount":5}'
    const res = await replayEdited(t, original.id, {body_base64: b64(edited)})
    expect(res.status, JSON.stringify(res.json)).toBe(201)
    expect(res.json.data.resigned).toBe(true)
    const [header] = res.json.data.headers['stripe-signature'] as string[]
    const fresh = Number(/^t=(\d+),/.exec(header)?.[1])
    expect(fresh).toBeGreaterThan(ts)
    expect(header).toBe(stripeSig(edited, fresh))

    // A custom HMAC check without a provider: the relay does not know how to re-make it, and says so.
    const custom = await createSource(t, {
      name: 'custom',
      verifier: {type: 'hmac', hmac: {header: 'X-Sig', hash: 'SHA256', encoding: 'hex', secret: 's'}},
    })
    await sourceEndpoint(t, custom.uid, 'custom-sink', sink.url)
    const signed = await ingest(
      custom.url,
      {'content-type': 'application/json', 'x-sig': createHmac('sha256', 's').update('{}').digest('hex')},
      '{}',
    )
    expect(signed.status).toBe(200)
    const noted = await replayEdited(t, signed.id, {body_base64: b64('{"a":1}')})
    expect(noted.status, JSON.stringify(noted.json)).toBe(201)
    expect(noted.json.data.resigned).toBe(false)
    expect(noted.json.data.notes[0]).toMatch(/cannot re-sign the edited request: the app may reject its signature/)
  })

  it('refuses an event that failed signature verification, and stores nothing', async () => {
    const t = await useRelay({deliver: false})
    const source = await createSource(t, {
      name: 'stripe',
      provider: 'stripe',
      verifier: {type: 'hmac', hmac: {secret: 'whsec_real'}},
    })
    await sourceEndpoint(t, source.uid, 'sink', t.receiver.url)
    const forged = await ingest(source.url, {'stripe-signature': 't=1,v1=00'}, '{"id":"evt_forged"}')
    expect(forged.status).toBe(401)
    const message = await refusedUnchanged(t, 400, () => replayEdited(t, forged.id, {body_base64: b64('{}')}))
    expect(message).toContain(`event ${forged.id} failed signature verification at ingest`)
  })

  it('answers 400 naming the problem for bad base64, header names or values, foreign endpoints and unknown fields, storing nothing', async () => {
    const t = await useRelay({deliver: false})
    const source = await createSource(t, {name: 'shop'})
    await sourceEndpoint(t, source.uid, 'sink', t.receiver.url)
    const other = await t.api('POST', t.p('/endpoints'), {name: 'other', url: `${t.receiver.url}/other`})
    const original = await ingest(source.url, {'content-type': 'application/json'}, '{"a":1}')
    expect(original.status).toBe(200)
    const cases: [unknown, string][] = [
      [{body_base64: 'not base64!'}, 'body_base64: not valid base64'],
      [{body_base64: 'abc'}, 'body_base64: not valid base64'],
      [{body_base64: 12}, 'body_base64: not valid base64'],
      [{headers: {'bad name': ['x']}}, 'headers: "bad name" is not a valid header name'],
      [{headers: {'x-a': ['ok\r\nInjected: yes']}}, 'headers.x-a: a value holds a control character'],
      [{headers: {'x-a': 'not an array'}}, 'headers.x-a: must be an array of strings'],
      [{headers: ['x']}, 'headers: must be an object'],
      [{endpoint_ids: [other.json.data.uid]}, `was never delivered to ${other.json.data.uid}`],
      [{endpoint_ids: 'x'}, 'endpoint_ids: must be an array of endpoint ids'],
      [{body: '{}'}, 'body: unknown field'],
      [[], 'the request body must be a JSON object'],
    ]
    for (const [body, expected] of cases) {
      const message = await refusedUnchanged(t, 400, () => replayEdited(t, original.id, body))
      expect(message, JSON.stringify(body)).toContain(expected)
    }
    await refusedUnchanged(t, 404, () => replayEdited(t, '01JZZZZZZZZZZZZZZZZZZZZZZZ', {}))
  })

  it("refuses another project's key", async () => {
    const t = await useRelay({deliver: false})
    const source = await createSource(t, {name: 'shop'})
    await sourceEndpoint(t, source.uid, 'sink', t.receiver.url)
    const original = await ingest(source.url, {}, '{"a":1}')
    const project = await t.api('POST', '/api/v1/projects', {name: 'other', type: 'outgoing'})
    expect(project.status, JSON.stringify(project.json)).toBe(201)
    const before = storeSnapshot(t.relay.db)
    const res = await replayEdited(t, original.id, {body_base64: b64('{}')}, project.json.data.api_key.key)
    expect([401, 404]).toContain(res.status)
    expect(snapshotDiff(before, storeSnapshot(t.relay.db))).toBe('')
  })
})
