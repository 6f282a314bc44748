import {createHmac, randomBytes} from 'node:crypto'
import type {IncomingHttpHeaders} from 'node:http'

import {Webhook as StandardWebhook} from 'standardwebhooks'
import {Webhook as SvixWebhook} from 'svix'
import {describe, expect, it} from 'vitest'

import {startDeliveryRelay, startSink, type DeliveryRelay} from '../helpers/delivery.js'

/** Signatures are checked here with node:crypto and the reference libraries only, never with Caravan's own signing code. */
const hmac = (algorithm: 'sha256' | 'sha512', secret: string | Buffer, ...parts: (string | Buffer)[]) => {
  const mac = createHmac(algorithm, secret)
  for (const part of parts) mac.update(part)
  return mac
}

function headerRecord(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]))
}

function parseAdvanced(header: string): {t: number; v1: string[]} {
  const parts = header.split(',').map((part) => {
    const eq = part.indexOf('=')
    return [part.slice(0, eq), part.slice(eq + 1)] as const
  })
  const t = parts.filter(([k]) => k === 't')
  expect(t, `one t= in "${header}"`).toHaveLength(1)
  expect(
    parts.every(([k]) => k === 't' || k === 'v1'),
    header,
  ).toBe(true)
  return {t: Number(t[0][1]), v1: parts.filter(([k]) => k === 'v1').map(([, v]) => v)}
}

const nowSeconds = () => Math.floor(Date.now() / 1000)

/** One event to one endpoint; returns what the sink received. */
async function deliverOne(
  r: DeliveryRelay,
  endpointBody: Record<string, unknown>,
  data: unknown = {id: randomBytes(4).toString('hex'), amount: 42},
) {
  const sink = await startSink()
  const endpoint = await r.endpoint({url: sink.url, ...endpointBody})
  const eventId = await r.send(endpoint.uid, data)
  const delivery = await r.delivery(eventId)
  expect(delivery.status).toBe('Success')
  expect(sink.requests).toHaveLength(1)
  return {endpoint, eventId, received: sink.requests[0], sink}
}

/** Rotate an endpoint's secret as a user does: the live one keeps signing for `hours`. */
async function rotate(r: DeliveryRelay, endpointId: string, secret: string, hours: number) {
  await r.ok('PUT', r.p(`/endpoints/${endpointId}/expire_secret`), {secret, expiration: hours})
}

const HOUR_MS = 3_600_000

describe('delivery signatures (Convoy scheme)', () => {
  it('simple: X-Convoy-Signature is the hex HMAC-SHA256 of the raw body; a replaced secret stops signing', async () => {
    const r = await startDeliveryRelay()
    const {endpoint, received, sink} = await deliverOne(r, {secret: 'simple-secret-1'})
    const header = received.headers['x-convoy-signature']
    expect(header).toBe(hmac('sha256', 'simple-secret-1', received.body).digest('hex'))
    expect(header).not.toMatch(/^t=/)

    // The update route replaces the live secret at once.
    await r.ok('PUT', r.p(`/endpoints/${endpoint.uid}`), {secret: 'simple-secret-2'})
    expect((await r.delivery(await r.broadcast({after: 'rotation'}))).status).toBe('Success')
    const second = sink.requests[1]
    expect(second.body.toString()).toBe('{"after":"rotation"}')
    expect(second.headers['x-convoy-signature']).toBe(hmac('sha256', 'simple-secret-2', second.body).digest('hex'))
  })

  it('advanced: t=<unix>,v1=... carries one signature per live secret during a rotation', async () => {
    const r = await startDeliveryRelay()
    const sink = await startSink()
    const endpoint = await r.endpoint({url: sink.url, secret: 'expired-secret', advanced_signatures: true})
    await rotate(r, endpoint.uid, 'previous-secret', 0)
    await rotate(r, endpoint.uid, 'current-secret', 1)

    const before = nowSeconds()
    const eventId = await r.broadcast({rotating: true, n: 1})
    expect((await r.delivery(eventId)).status).toBe('Success')
    const received = sink.requests[0]
    const {t, v1} = parseAdvanced(String(received.headers['x-convoy-signature']))
    expect(t).toBeGreaterThanOrEqual(before)
    expect(t).toBeLessThanOrEqual(nowSeconds())
    expect(v1).toHaveLength(2)
    const signed = (secret: string) => hmac('sha256', secret, `${t},`, received.body).digest('hex')
    // Receivers on either secret accept the request; the expired one no longer signs.
    expect(v1).toContain(signed('current-secret'))
    expect(v1).toContain(signed('previous-secret'))
    expect(v1).not.toContain(signed('expired-secret'))
    // A signature over the body alone (no timestamp) would be replayable: it must not be one.
    expect(v1).not.toContain(hmac('sha256', 'current-secret', received.body).digest('hex'))

    // An hour later the rotated-out secret has expired: only the current one signs.
    r.advance(HOUR_MS + 1000)
    expect((await r.delivery(await r.broadcast({rotating: true, n: 2}))).status).toBe('Success')
    const later = sink.requests[1]
    const after = parseAdvanced(String(later.headers['x-convoy-signature']))
    expect(after.v1).toEqual([hmac('sha256', 'current-secret', `${after.t},`, later.body).digest('hex')])
  })

  it('SHA512/base64 under a custom header name, simple and advanced', async () => {
    const r = await startDeliveryRelay()
    await r.configure({signature: {header: 'X-Acme-Signature', versions: [{hash: 'SHA512', encoding: 'base64'}]}})

    const simple = await deliverOne(r, {secret: 'sha512-simple'})
    expect(simple.received.headers['x-convoy-signature']).toBeUndefined()
    expect(simple.received.headers['x-acme-signature']).toBe(
      hmac('sha512', 'sha512-simple', simple.received.body).digest('base64'),
    )

    const advanced = await deliverOne(r, {secret: 'sha512-advanced', advanced_signatures: true})
    const {t, v1} = parseAdvanced(String(advanced.received.headers['x-acme-signature']))
    expect(v1).toEqual([hmac('sha512', 'sha512-advanced', `${t},`, advanced.received.body).digest('base64')])
  })
})

describe('delivery signatures (Standard Webhooks scheme)', () => {
  it('whsec_ secret: verified by the standardwebhooks and svix libraries', async () => {
    const r = await startDeliveryRelay()
    await r.configure({signature: {scheme: 'standard-webhooks'}})
    const secret = `whsec_${randomBytes(32).toString('base64')}`
    const data = {type: 'user.created', user: {id: 7, name: 'Zoë'}}
    const {eventId, received} = await deliverOne(r, {secret}, data)

    const headers = headerRecord(received.headers)
    expect(headers['webhook-id']).toBe(eventId)
    expect(Math.abs(Number(headers['webhook-timestamp']) - nowSeconds())).toBeLessThanOrEqual(5)
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/)
    expect(headers['x-convoy-signature']).toBeUndefined()

    expect(new StandardWebhook(secret).verify(received.body, headers)).toEqual(data)
    expect(new SvixWebhook(secret).verify(received.body.toString('utf8'), headers)).toEqual(data)
    // And by hand: base64 HMAC-SHA256 of "id.ts.body" under the decoded key.
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
    const expected = hmac(
      'sha256',
      key,
      `${headers['webhook-id']}.${headers['webhook-timestamp']}.`,
      received.body,
    ).digest('base64')
    expect(headers['webhook-signature']).toBe(`v1,${expected}`)

    // A tampered body or another secret does not verify.
    expect(() =>
      new StandardWebhook(secret).verify(Buffer.from(received.body.toString().replace('7', '8')), headers),
    ).toThrow()
    expect(() =>
      new StandardWebhook(`whsec_${randomBytes(32).toString('base64')}`).verify(received.body, headers),
    ).toThrow()
  })

  it('lists one v1 entry per live secret during a rotation, each verifiable', async () => {
    const r = await startDeliveryRelay()
    await r.configure({signature: {scheme: 'standard-webhooks'}})
    const sink = await startSink()
    const oldSecret = `whsec_${randomBytes(24).toString('base64')}`
    const newSecret = `whsec_${randomBytes(24).toString('base64')}`
    const endpoint = await r.endpoint({url: sink.url, secret: oldSecret})
    await rotate(r, endpoint.uid, newSecret, 2)
    expect((await r.delivery(await r.broadcast({rotate: 'standard'}))).status).toBe('Success')
    const headers = headerRecord(sink.requests[0].headers)
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    expect(new StandardWebhook(oldSecret).verify(sink.requests[0].body, headers)).toEqual({rotate: 'standard'})
    expect(new StandardWebhook(newSecret).verify(sink.requests[0].body, headers)).toEqual({rotate: 'standard'})

    // Still both an hour in; past the two hours only the new secret signs. (The clock has
    // moved past the libraries' timestamp tolerance, so these are checked by hand.)
    const signedBy = (index: number) => {
      const h = headerRecord(sink.requests[index].headers)
      const sign = (secret: string) =>
        `v1,${hmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'), `${h['webhook-id']}.${h['webhook-timestamp']}.`, sink.requests[index].body).digest('base64')}`
      return h['webhook-signature']
        .split(' ')
        .map((entry) => (entry === sign(oldSecret) ? 'old' : entry === sign(newSecret) ? 'new' : entry))
    }
    expect(signedBy(0).sort()).toEqual(['new', 'old'])
    r.advance(HOUR_MS)
    expect((await r.delivery(await r.broadcast({rotate: 'an hour in'}))).status).toBe('Success')
    expect(signedBy(1).sort()).toEqual(['new', 'old'])
    r.advance(HOUR_MS + 1000)
    expect((await r.delivery(await r.broadcast({rotate: 'done'}))).status).toBe('Success')
    expect(signedBy(2)).toEqual(['new'])
  })

  it('a plain (non-whsec_) secret signs with its UTF-8 bytes as the key', async () => {
    const r = await startDeliveryRelay()
    await r.configure({signature: {scheme: 'standard-webhooks'}})
    const plain = 'plain-convoy-style-secret'
    const {received} = await deliverOne(r, {secret: plain}, {plain: true})
    const headers = headerRecord(received.headers)

    expect(
      new StandardWebhook(`whsec_${Buffer.from(plain, 'utf8').toString('base64')}`).verify(received.body, headers),
    ).toEqual({plain: true})
    expect(new StandardWebhook(plain, {format: 'raw'}).verify(received.body, headers)).toEqual({plain: true})
    expect(() =>
      new StandardWebhook(`whsec_${Buffer.from('another-secret').toString('base64')}`).verify(received.body, headers),
    ).toThrow()
  })
})
