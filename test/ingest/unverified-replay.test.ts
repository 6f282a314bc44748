import {createHmac} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {createSource, deliveriesOfEvent, rawRequest} from '../helpers/listen.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

/**
 * A request that failed verification at ingest may be forged by anyone who knows the ingest
 * URL: the relay's replay and resend routes refuse it (409, naming why and the explicit way
 * round), leave the store as it was, and batch routes skip it and say so.
 */

const SECRET = 'whsec_unverified_test_secret'
const BODY = '{"id":"evt_forged","type":"invoice.paid"}'

function stripeHeaders(body: string, secret: string) {
  const t = Math.floor(Date.now() / 1000)
  const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')
  return {'content-type': 'application/json', 'stripe-signature': `t=${t},v1=${v1}`}
}

async function ingest(source: {url: string}, headers: Record<string, string>, body = BODY) {
  const res = await rawRequest(source.url, {headers, body})
  return {status: res.status, id: res.headers['x-caravan-event-id'] as string, json: res.json}
}

// Test code reads response JSON freely.
/** Sends `request` and checks that it was refused with `status` and left the store untouched. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function refusedUnchanged(t: TestRelay, status: number, request: () => Promise<{status: number; json: any}>) {
  const before = storeSnapshot(t.relay.db)
  const res = await request()
  expect(res.status, JSON.stringify(res.json)).toBe(status)
  expect(storeSnapshot(t.relay.db)).toBe(before)
  return res
}

describe('replaying a request that failed verification', () => {
  it('is refused by replay and resend routes, recorded only with allow_unverified, skipped by batches', async () => {
    const t = await useRelay()
    const source = await createSource(t, {
      name: 'stripe',
      provider: 'stripe',
      verifier: {type: 'hmac', hmac: {secret: SECRET}},
    })
    // A running listen for the source: a forged request must not be queued for it.
    const listener = await t.api('POST', t.p('/listeners'), {
      name: 'l',
      source: 'stripe',
      target: 'http://127.0.0.1:9/hooks',
    })
    expect(listener.status, JSON.stringify(listener.json)).toBe(201)
    const forged = await ingest(source, stripeHeaders(BODY, 'whsec_attacker_guess'))
    expect(forged.status).toBe(401)
    expect(await deliveriesOfEvent(t, forged.id)).toEqual([])
    const genuine = await ingest(
      source,
      stripeHeaders(BODY.replace('forged', 'real'), SECRET),
      BODY.replace('forged', 'real'),
    )
    expect(genuine.status).toBe(200)

    const replay = await refusedUnchanged(t, 409, () => t.api('PUT', t.p(`/events/${forged.id}/replay`)))
    expect(replay.json.message).toContain(
      `event ${forged.id} failed signature verification at ingest (signature mismatch (Stripe-Signature))`,
    )
    expect(replay.json.message).toContain(`caravan replay ${forged.id} --allow-unverified`)
    expect((await t.api('PUT', t.p(`/events/${genuine.id}/replay`))).status).toBe(200)

    const target = `${t.receiver.url}/hooks`
    const unasked = await refusedUnchanged(t, 409, () =>
      t.api('POST', t.p(`/events/${forged.id}/replays`), {target, status: 500}),
    )
    expect(unasked.json.message).toContain('"allow_unverified": true')

    const recorded = await t.api('POST', t.p(`/events/${forged.id}/replays`), {
      target,
      status: 500,
      allow_unverified: true,
    })
    expect(recorded.status, JSON.stringify(recorded.json)).toBe(201)
    expect(recorded.json.data.description).toBe(`unverified replay of event ${forged.id}`)
    const failed = recorded.json.data.uid
    const ok = await t.api('POST', t.p(`/events/${forged.id}/replays`), {target, status: 200, allow_unverified: true})
    const succeeded = ok.json.data.uid

    const resend = await refusedUnchanged(t, 409, () => t.api('PUT', t.p(`/eventdeliveries/${failed}/resend`)))
    expect(resend.json.message).toContain('failed signature verification at ingest')

    const force = await refusedUnchanged(t, 200, () =>
      t.api('POST', t.p('/eventdeliveries/forceresend'), {ids: [succeeded]}),
    )
    expect(force.json.data).toEqual({
      resent: [],
      failed: [
        {id: succeeded, reason: 'its event failed signature verification at ingest; the relay never re-sends it'},
      ],
    })

    const batchRetry = await refusedUnchanged(t, 200, () =>
      t.api('POST', t.p('/eventdeliveries/batchretry?status=Failure')),
    )
    expect(batchRetry.json.data).toEqual({retried: 0, skipped: 1})

    const batchReplay = await t.api('POST', t.p('/events/batchreplay'))
    expect(batchReplay.status).toBe(200)
    expect(batchReplay.json.data).toContain('1 unverified event(s) skipped (failed signature verification at ingest)')
    expect(t.receiver.requests).toHaveLength(0)
  })
})

describe('POST /events/{id}/replays validates before it writes', () => {
  it('refuses each bad body with 400 naming the field, and the store stays byte-identical', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'plain'})
    const event = await ingest(source, {'content-type': 'application/json'})
    expect(event.status).toBe(200)
    const target = `${t.receiver.url}/hooks`
    const bad: [unknown, RegExp][] = [
      [{target, status: 200, headers: {x: 5}}, /^headers\.x must be a string or an array of strings$/],
      [{target, status: 200, headers: {x: ['a', 1]}}, /^headers\.x must be a string or an array of strings$/],
      [
        {target, status: 200, request_headers: {'content-type': ['a']}},
        /^request_headers\.content-type must be a string$/,
      ],
      [{target, status: '200'}, /^status must be an integer$/],
      [{target, status: 99}, /^status must be at least 100$/],
      [{status: 200}, /^target is required$/],
      [{target: 'not a url', status: 200}, /target/],
      [{target, status: 200, listener_id: 'nope'}, /^listener_id: no listener nope in this project$/],
      [{target, status: 200, body_base64: '%%%'}, /^body_base64 must be base64$/],
      [{target, status: 200, latency_ms: -1}, /^latency_ms must be at least 0$/],
      [{target, status: 200, allow_unverified: 'yes'}, /^allow_unverified must be true or false$/],
      [[1, 2], /^request body must be a JSON object$/],
    ]
    for (const [body, message] of bad) {
      const res = await refusedUnchanged(t, 400, () =>
        t.api('POST', t.p(`/events/${event.id}/replays`), body, {offSpec: true}),
      )
      expect(res.json.message, JSON.stringify(body)).toMatch(message)
    }
    // A good one is recorded, and its attempts read back fine.
    const good = await t.api('POST', t.p(`/events/${event.id}/replays`), {
      target,
      status: 200,
      headers: {'content-type': 'text/plain', 'set-cookie': ['a=1', 'b=2']},
      request_headers: {'content-type': 'application/json'},
      body_base64: Buffer.from('ok').toString('base64'),
      latency_ms: 3,
    })
    expect(good.status, JSON.stringify(good.json)).toBe(201)
    const attempts = await t.api('GET', t.p(`/eventdeliveries/${good.json.data.uid}/deliveryattempts`))
    expect(attempts.status).toBe(200)
    expect(attempts.json.data).toHaveLength(1)
  })
})
