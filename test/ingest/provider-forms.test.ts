import {createHmac, createPrivateKey, generateKeyPairSync, sign} from 'node:crypto'
import {readFileSync} from 'node:fs'

import {Webhook as StandardWebhook} from 'standardwebhooks'
import {Webhook as SvixWebhook} from 'svix'
import {describe, expect, it} from 'vitest'

import {resignHeaders} from '../../src/ingest/sign-provider.js'
import {verifyInbound} from '../../src/ingest/verifier.js'
import {createSource, eventsOf, rawRequest} from '../helpers/listen.js'
import {useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

/**
 * Issue 10 item 9: Standard Webhooks v1a (ed25519, `whpk_` public keys) is verified at ingest;
 * provider secrets of the wrong form are refused where they are given; Shopify's unprefixed
 * header names are verified; a re-signed request carries no stale signature in any variant.
 */

// stripe and standard-webhooks are Caravan extensions of Convoy's provider enum.
const PROVIDER_EXTENSION = [/\/provider must be equal to one of the allowed values/]

const VECTORS = JSON.parse(
  readFileSync(new URL('../fixtures/reference/standard-webhooks-test-vectors.json', import.meta.url), 'utf8'),
)
const V1A = VECTORS.ed25519_v1a[0]
// whsk_ = base64(seed || public key); PKCS#8 for an ed25519 seed is this prefix + the seed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const privateKeyOf = (whsk: string) =>
  createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, Buffer.from(whsk.slice(5), 'base64').subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  })

function v1aHeaders(key: ReturnType<typeof createPrivateKey>, id: string, body: string, extra = '') {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const sig = sign(null, Buffer.from(`${id}.${timestamp}.${body}`), key).toString('base64')
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `${extra}v1a,${sig}`,
  }
}

describe('Standard Webhooks v1a (ed25519)', () => {
  it('verifies the published vector with its whpk_ key, and nothing forged', () => {
    const headers = {
      'webhook-id': V1A.msgId,
      'webhook-timestamp': String(V1A.timestamp),
      'webhook-signature': V1A.signature,
    }
    const req = (h: Record<string, string>, body = V1A.payload) => ({
      headers: h,
      body: Buffer.from(body),
      now: V1A.timestamp * 1000,
    })
    const config = {type: 'standard-webhooks' as const, secret: V1A.publicKey}
    expect(verifyInbound(config, req(headers))).toEqual({ok: true})
    expect(verifyInbound(config, req(headers, V1A.payload.replace('2432', '2433')))).toMatchObject({ok: false})
    const flipped = V1A.signature.replace(/.(?==*$)/, (c: string) => (c === 'A' ? 'B' : 'A'))
    expect(verifyInbound(config, req({...headers, 'webhook-signature': flipped}))).toMatchObject({ok: false})
    // A v1 (HMAC) entry is never accepted by a public key, nor v1a by an HMAC secret.
    expect(verifyInbound(config, req({...headers, 'webhook-signature': VECTORS.hmac_v1[0].signature}))).toEqual({
      ok: false,
      reason: 'webhook-signature header has no v1a signature',
    })
    expect(verifyInbound({type: 'standard-webhooks', secret: VECTORS.hmac_v1[0].secret}, req(headers))).toEqual({
      ok: false,
      reason: 'webhook-signature header has no v1 signature',
    })
  })

  it('accepts a fresh v1a request at ingest and refuses one signed by another key', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'sw', provider: 'standard-webhooks', verifier: {secret: V1A.publicKey}})
    const body = '{"type":"user.created"}'
    const good = await rawRequest(source.url, {
      headers: v1aHeaders(privateKeyOf(V1A.secretKey), 'msg_1', body, 'v1,bm9wZQ== '),
      body,
    })
    expect(good.status, good.text).toBe(200)
    const other = generateKeyPairSync('ed25519').privateKey
    const forged = await rawRequest(source.url, {headers: v1aHeaders(other, 'msg_2', body), body})
    expect(forged.status).toBe(401)
    expect(forged.json.message).toBe('verification failed: signature mismatch (webhook-signature)')
    const [first, second] = await eventsOf(t, source.uid)
    expect(first).toMatchObject({event_type: 'user.created', failure_reason: '', idempotency_key: 'msg_1'})
    expect(second.failure_reason).toBe('signature mismatch (webhook-signature)')
  })
})

describe('provider secrets of the wrong form', () => {
  it('are refused at creation and update with 400 naming the expected form; the store is unchanged', async () => {
    const t = await useRelay()
    const cases: [string, string, RegExp][] = [
      [
        'stripe',
        'not-a-stripe-secret',
        /^verifier\.hmac\.secret: a Stripe webhook signing secret looks like "whsec_…"/,
      ],
      ['stripe', 'whsec_', /Stripe webhook signing secret/],
      [
        'standard-webhooks',
        V1A.secretKey,
        /"whsk_…" is the sender's private signing key; give the relay the public key "whpk_…"/,
      ],
      ['standard-webhooks', 'whpk_c2hvcnQ=', /"whpk_…" must be followed by the base64 of a 32-byte ed25519 public key/],
      ['standard-webhooks', 'whsec_%%%', /looks like "whsec_<base64>" \(v1, HMAC\) or "whpk_<base64>"/],
      ['standard-webhooks', 'gh-style-secret', /looks like "whsec_<base64>"/],
      ['github', '   ', /^verifier\.hmac\.secret must not be empty or blank$/],
      ['shopify', ' shpss_x', /leading or trailing whitespace/],
    ]
    const before = storeSnapshot(t.relay.db)
    for (const [provider, secret, message] of cases) {
      const res = await t.api(
        'POST',
        t.p('/sources'),
        {name: `s-${provider}`, type: 'http', provider, verifier: {type: 'hmac', hmac: {secret}}},
        {offSpec: true},
      )
      expect(res.status, `${provider} ${secret}`).toBe(400)
      expect(res.json.message, `${provider} ${secret}`).toMatch(message)
    }
    expect(storeSnapshot(t.relay.db)).toBe(before)
    for (const [provider, secret] of [
      ['stripe', 'whsec_abc123'],
      ['standard-webhooks', VECTORS.hmac_v1[0].secret],
      ['standard-webhooks', V1A.publicKey],
      ['github', 'anything goes'],
      ['shopify', 'shpss_123'],
    ]) {
      const res = await t.api(
        'POST',
        t.p('/sources'),
        {
          name: `ok-${provider}-${secret.slice(0, 4)}`,
          type: 'http',
          provider,
          verifier: {type: 'hmac', hmac: {secret}},
        },
        {offSpec: true, extensions: PROVIDER_EXTENSION},
      )
      expect(res.status, `${provider} ${secret}: ${res.json.message}`).toBe(201)
    }
    const stripe = await createSource(t, {name: 'upd', provider: 'stripe', verifier: {secret: 'whsec_good'}})
    const mid = storeSnapshot(t.relay.db)
    const update = await t.api(
      'PUT',
      t.p(`/sources/${stripe.uid}`),
      {name: 'upd', type: 'http', provider: 'stripe', verifier: {type: 'hmac', hmac: {secret: 'sk_live_oops'}}},
      {offSpec: true},
    )
    expect(update.status).toBe(400)
    expect(update.json.message).toMatch(/Stripe webhook signing secret looks like "whsec_…"/)
    expect(storeSnapshot(t.relay.db)).toBe(mid)
  })
})

describe('Shopify header names', () => {
  const SECRET = 'shpss_test'
  const body = '{"id":820982911946154500}'
  const hmac = (b: string) => createHmac('sha256', SECRET).update(b).digest('base64')

  it('verifies Shopify-Hmac-Sha256 (unprefixed) as well as X-Shopify-Hmac-Sha256, and every variant present', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'shop', provider: 'shopify', verifier: {secret: SECRET}})
    const send = (headers: Record<string, string>) =>
      rawRequest(source.url, {headers: {'content-type': 'application/json', ...headers}, body})
    const unprefixed = await send({
      'Shopify-Hmac-Sha256': hmac(body),
      'Shopify-Topic': 'orders/create',
      'Shopify-Webhook-Id': 'wh-1',
    })
    expect(unprefixed.status, unprefixed.text).toBe(200)
    expect((await send({'X-Shopify-Hmac-Sha256': hmac(body)})).status).toBe(200)
    const forgedUnprefixed = await send({'Shopify-Hmac-Sha256': hmac('{}')})
    expect(forgedUnprefixed.json.message).toBe('verification failed: signature mismatch (Shopify-Hmac-Sha256)')
    // A valid X- header cannot carry a forged unprefixed one (which @shopify/shopify-api reads first).
    const mixed = await send({'X-Shopify-Hmac-Sha256': hmac(body), 'Shopify-Hmac-Sha256': hmac('{}')})
    expect(mixed.status).toBe(401)
    const [first] = await eventsOf(t, source.uid)
    expect(first).toMatchObject({event_type: 'orders/create', idempotency_key: 'wh-1', failure_reason: ''})
  })

  it('re-signing replaces every variant of a signature header, leaving none stale', () => {
    const now = Date.now()
    const shop = resignHeaders(
      'shopify',
      SECRET,
      {'shopify-hmac-sha256': ['stale'], 'X-Shopify-Hmac-Sha256': ['stale'], 'x-other': ['kept']},
      Buffer.from(body),
      now,
    )
    expect(shop).toEqual({'shopify-hmac-sha256': hmac(body), 'X-Shopify-Hmac-Sha256': hmac(body), 'x-other': ['kept']})
    expect(resignHeaders('shopify', SECRET, {}, Buffer.from(body), now)).toEqual({'X-Shopify-Hmac-Sha256': hmac(body)})

    const stripe = resignHeaders(
      'stripe',
      'whsec_x',
      {'stripe-signature': 't=1,v1=aa', 'Stripe-Signature': 't=1,v1=bb'},
      Buffer.from(body),
      now,
    )
    expect(stripe['stripe-signature']).toBe(stripe['Stripe-Signature'])
    expect(stripe['stripe-signature']).toMatch(new RegExp(`^t=${Math.floor(now / 1000)},v1=`))

    const secret = VECTORS.hmac_v1[0].secret
    const both = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': '1',
      'webhook-signature': 'v1,c3RhbGU=',
      'svix-id': 'msg_1',
      'svix-timestamp': '1',
      'svix-signature': 'v1,c3RhbGU=',
    }
    const fresh = resignHeaders('standard-webhooks', secret, both, Buffer.from(body), now) as Record<string, string>
    expect(fresh['svix-signature']).toBe(fresh['webhook-signature'])
    expect(() => new StandardWebhook(secret).verify(body, fresh)).not.toThrow()
    const svixOnly = Object.fromEntries(Object.entries(fresh).filter(([k]) => k.startsWith('svix-')))
    expect(() => new SvixWebhook(secret).verify(body, svixOnly)).not.toThrow()
    // A public key cannot sign: the request is left exactly as it was.
    expect(resignHeaders('standard-webhooks', V1A.publicKey, both, Buffer.from(body), now)).toEqual(both)
  })
})
