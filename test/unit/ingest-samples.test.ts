import {Webhook} from 'standardwebhooks'
import {Webhook as SvixWebhook} from 'svix'
import {describe, expect, it} from 'vitest'

import {extractAt, extractFirst, PROVIDERS, type ProviderName} from '../../src/ingest/providers.js'
import {buildSample, listSamples} from '../../src/ingest/samples.js'
import {resignHeaders, signAsProvider} from '../../src/ingest/sign-provider.js'
import {parseStripeSignature, verifyInbound} from '../../src/ingest/verifier.js'

const NOW = 1_700_000_000_000
const SECRETS: Record<ProviderName, string> = {
  github: 'gh-webhook-secret',
  stripe: 'whsec_test_1c2b3a',
  shopify: 'shpss_4f5e6d',
  'standard-webhooks': 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
}

/** What a node server sees: lower-cased header names. */
const asReceived = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))

describe('listSamples', () => {
  it('lists every provider with described events', () => {
    const samples = listSamples()
    const keys = samples.map((s) => `${s.provider} ${s.event}`)
    expect(keys).toEqual(
      expect.arrayContaining([
        'github push',
        'github pull_request',
        'github ping',
        'stripe payment_intent.succeeded',
        'stripe charge.failed',
        'stripe invoice.paid',
        'shopify orders/create',
        'standard-webhooks user.created',
      ]),
    )
    expect(samples.every((s) => s.description.length > 0)).toBe(true)
  })
})

describe.each(listSamples().map((s) => [`${s.provider} ${s.event}`, s.provider, s.event] as const))(
  'sample %s',
  (_name, provider, event) => {
    it('signs with signAsProvider and verifies with verifyInbound', () => {
      const sample = buildSample(provider, event, {now: NOW})
      const secret = SECRETS[provider]
      const signature = signAsProvider(provider, secret, sample.body, {now: NOW, id: sample.id})
      const headers = asReceived({...sample.headers, ...signature})
      const req = {headers, body: sample.body, now: NOW}
      expect(verifyInbound(PROVIDERS[provider].verifier(secret), req)).toEqual({ok: true})
      expect(verifyInbound(PROVIDERS[provider].verifier('wrong-secret'), req).ok).toBe(false)
    })

    it("carries its event type and delivery id where the provider's preset looks", () => {
      const sample = buildSample(provider, event, {now: NOW})
      const signature = signAsProvider(provider, SECRETS[provider], sample.body, {now: NOW, id: sample.id})
      const req = {
        headers: asReceived({...sample.headers, ...signature}),
        body: sample.body,
        query: new URLSearchParams(),
        contentType: sample.headers['content-type'],
      }
      expect(extractAt(PROVIDERS[provider].eventType, req)).toBe(event)
      expect(extractFirst(PROVIDERS[provider].idempotencyKey, req)).toBe(sample.id)
      expect(sample.headers['content-type']).toMatch(/^application\/json/)
    })

    it('uses fresh ids on every call, and is deterministic given the random source', () => {
      const a = buildSample(provider, event, {now: NOW})
      const b = buildSample(provider, event, {now: NOW})
      expect(a.id).not.toBe(b.id)
      expect(a.body.equals(b.body)).toBe(false)

      const counter = () => {
        let n = 0
        return () => `seed-${n++}`
      }
      const c = buildSample(provider, event, {now: NOW, randomId: counter()})
      const d = buildSample(provider, event, {now: NOW, randomId: counter()})
      expect(c).toEqual(d)
    })
  },
)

describe('sample payloads', () => {
  it('shape Stripe events like Stripe does', () => {
    const sample = buildSample('stripe', 'invoice.paid', {now: NOW})
    const event = JSON.parse(sample.body.toString('utf8'))
    expect(event).toMatchObject({
      id: sample.id,
      object: 'event',
      api_version: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      created: NOW / 1000,
      livemode: false,
      type: 'invoice.paid',
      data: {object: {object: 'invoice', status: 'paid', livemode: false}},
    })
    expect(event.id).toMatch(/^evt_[A-Za-z0-9]{24}$/)
  })

  it('send GitHub headers the way GitHub does', () => {
    const sample = buildSample('github', 'push', {now: NOW})
    expect(sample.headers).toMatchObject({
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': sample.id,
      'User-Agent': expect.stringMatching(/^GitHub-Hookshot\/[0-9a-f]{7}$/),
    })
    expect(sample.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const push = JSON.parse(sample.body.toString('utf8'))
    expect(push.head_commit.id).toBe(push.after)
    expect(push.ref).toBe('refs/heads/main')
  })

  it('send the Shopify topic and webhook id headers', () => {
    const sample = buildSample('shopify', 'orders/create', {now: NOW})
    expect(sample.headers['X-Shopify-Topic']).toBe('orders/create')
    expect(sample.headers['X-Shopify-Webhook-Id']).toBe(sample.id)
    const order = JSON.parse(sample.body.toString('utf8'))
    expect(sample.headers['X-Shopify-Order-Id']).toBe(String(order.id))
    expect(Number.isSafeInteger(order.id)).toBe(true)
  })
})

describe('buildSample errors', () => {
  it('lists the available providers for an unknown provider', () => {
    expect(() => buildSample('paypal', 'x', {now: NOW})).toThrow(
      'unknown provider "paypal"; available: github, stripe, shopify, standard-webhooks',
    )
  })

  it("lists the provider's events for an unknown event", () => {
    expect(() => buildSample('github', 'issues', {now: NOW})).toThrow(
      'unknown github event "issues"; available: push, pull_request, ping',
    )
    expect(() => buildSample('stripe', 'toString', {now: NOW})).toThrow(/available: payment_intent.succeeded/)
  })
})

describe('signAsProvider', () => {
  const body = Buffer.from('{"type":"user.created","data":{"id":"user_1"}}')

  it('produces Standard Webhooks headers that the standardwebhooks library accepts', () => {
    const now = Date.now() // the library checks against the wall clock
    const headers = signAsProvider('standard-webhooks', SECRETS['standard-webhooks'], body, {now, id: 'msg_abc'})
    expect(headers['webhook-id']).toBe('msg_abc')
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now / 1000)))
    expect(() => new Webhook(SECRETS['standard-webhooks']).verify(body, headers)).not.toThrow()
  })

  it('makes up a msg_ id when none is given', () => {
    const headers = signAsProvider('standard-webhooks', SECRETS['standard-webhooks'], body, {now: NOW})
    expect(headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9]{27}$/)
  })

  it('produces the documented header formats', () => {
    const github = signAsProvider('github', 's', body, {now: NOW})
    expect(github['X-Hub-Signature-256']).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(github['X-Hub-Signature']).toMatch(/^sha1=[0-9a-f]{40}$/)
    expect(signAsProvider('stripe', 's', body, {now: NOW + 999})['Stripe-Signature']).toMatch(
      /^t=1700000000,v1=[0-9a-f]{64}$/,
    )
    expect(signAsProvider('shopify', 's', body, {now: NOW})['X-Shopify-Hmac-Sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/)
  })

  it('refuses an unusable Standard Webhooks secret', () => {
    expect(() => signAsProvider('standard-webhooks', 'whsec_', body, {now: NOW})).toThrow(
      /invalid standard-webhooks secret/,
    )
  })
})

describe('resignHeaders', () => {
  const later = NOW + 3_600_000 // an hour on: the original signature is stale by then

  it('refreshes a stale Standard Webhooks signature and keeps the id and other headers', () => {
    const secret = SECRETS['standard-webhooks']
    const sample = buildSample('standard-webhooks', 'user.created', {now: NOW})
    const signature = signAsProvider('standard-webhooks', secret, sample.body, {now: NOW, id: sample.id})
    const original = {...sample.headers, ...signature}
    const config = PROVIDERS['standard-webhooks'].verifier(secret)
    expect(verifyInbound(config, {headers: asReceived(original), body: sample.body, now: later}).ok).toBe(false)

    const fresh = resignHeaders('standard-webhooks', secret, original, sample.body, later)
    expect(fresh['webhook-id']).toBe(sample.id)
    expect(fresh['webhook-timestamp']).toBe(String(later / 1000))
    expect(fresh['content-type']).toBe(original['content-type'])
    expect(verifyInbound(config, {headers: asReceived(fresh), body: sample.body, now: later})).toEqual({ok: true})
    // The original is left alone.
    expect(original['webhook-timestamp']).toBe(String(NOW / 1000))
  })

  it('keeps Svix-named headers Svix-named, and the svix library accepts them', () => {
    const secret = SECRETS['standard-webhooks']
    const body = Buffer.from('{"type":"invoice.paid"}')
    const original = {
      'Svix-Id': 'msg_svix1',
      'Svix-Timestamp': '1600000000',
      'Svix-Signature': 'v1,stale=',
      'Content-Type': 'application/json',
    }
    const now = Date.now()
    const fresh = resignHeaders('standard-webhooks', secret, original, body, now)
    expect(Object.keys(fresh).sort()).toEqual(Object.keys(original).sort())
    expect(fresh['Svix-Id']).toBe('msg_svix1')
    expect(fresh['Svix-Timestamp']).toBe(String(Math.floor(now / 1000)))
    expect(() => new SvixWebhook(secret).verify(body, asReceived(fresh))).not.toThrow()
  })

  it('refreshes the Stripe timestamp and signature', () => {
    const secret = SECRETS.stripe
    const sample = buildSample('stripe', 'charge.failed', {now: NOW})
    const original = {...sample.headers, ...signAsProvider('stripe', secret, sample.body, {now: NOW})}
    // Stored headers as node gave them: lower-case names, with the casing kept on output.
    const stored = asReceived(original)
    const fresh = resignHeaders('stripe', secret, stored, sample.body, later)
    expect(parseStripeSignature(fresh['stripe-signature']).timestamp).toBe(String(later / 1000))
    expect(Object.keys(fresh).sort()).toEqual(Object.keys(stored).sort())
    const config = PROVIDERS.stripe.verifier(secret)
    expect(verifyInbound(config, {headers: stored, body: sample.body, now: later})).toMatchObject({
      ok: false,
      reason: 'Stripe-Signature timestamp 1700000000 is 3600 s old (tolerance 300 s)',
    })
    expect(verifyInbound(config, {headers: fresh, body: sample.body, now: later})).toEqual({ok: true})
  })

  it('re-signs GitHub and Shopify deliveries with the given secret', () => {
    for (const provider of ['github', 'shopify'] as const) {
      const sample = buildSample(provider, provider === 'github' ? 'ping' : 'orders/create', {now: NOW})
      const original = {...sample.headers, ...signAsProvider(provider, 'old-secret', sample.body, {now: NOW})}
      const fresh = resignHeaders(provider, SECRETS[provider], original, sample.body, later)
      const config = PROVIDERS[provider].verifier(SECRETS[provider])
      expect(verifyInbound(config, {headers: asReceived(fresh), body: sample.body, now: later})).toEqual({ok: true})
      expect(Object.keys(fresh).sort()).toEqual(Object.keys(original).sort())
    }
  })
})
