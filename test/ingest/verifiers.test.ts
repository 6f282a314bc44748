import {createHmac, randomBytes} from 'node:crypto'

import {Webhook as StandardWebhook} from 'standardwebhooks'
import {Webhook as SvixWebhook} from 'svix'
import {describe, expect, it} from 'vitest'

import {createSource, eventsOf, rawRequest, relayServes} from '../helpers/listen.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'

/**
 * Every source verifier and provider over real HTTP against an in-process relay: a valid
 * request answers 200; an invalid one answers 401 with the reason and is still stored,
 * flagged (failure_reason, status Failure), and the relay keeps serving.
 */

const BODY = '{"id":"evt_1","type":"thing.happened","data":{"amount":1000}}'
const BODY2 = BODY.replace('evt_1', 'evt_2')
const hmacOf = (algorithm: string, key: string | Buffer, ...parts: (string | Buffer)[]) => {
  const mac = createHmac(algorithm, key)
  for (const part of parts) mac.update(part)
  return mac.digest()
}
const nowSeconds = () => Math.floor(Date.now() / 1000)

interface Case {
  name: string
  headers: Record<string, string>
  body?: string | Buffer
  /** undefined: accepted; else the 401 reason. */
  reason?: string | RegExp
}

/** Sends every case to one source, checking answer, storage and flagging for each. */
async function check(t: TestRelay, source: {uid: string; url: string}, cases: Case[]): Promise<void> {
  for (const c of cases) {
    const body = c.body ?? BODY
    const res = await rawRequest(source.url, {headers: {'content-type': 'application/json', ...c.headers}, body})
    const stored = (await eventsOf(t, source.uid)).at(-1)
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body)
    expect(Buffer.from(stored.body_base64, 'base64').equals(bytes), `${c.name}: stored bytes`).toBe(true)
    if (c.reason === undefined) {
      expect(res.status, `${c.name}: ${res.text}`).toBe(200)
      expect(res.text, c.name).toBe('{"status":true,"message":"Event received"}')
      expect(res.headers['x-caravan-event-id'], c.name).toBe(stored.uid)
      expect(stored.failure_reason, c.name).toBe('')
      expect(stored.status, c.name).not.toBe('Failure')
    } else {
      expect(res.status, `${c.name}: ${res.text}`).toBe(401)
      expect(res.headers['content-type'], c.name).toMatch(/^application\/json/)
      expect(res.json.status, c.name).toBe(false)
      const reason =
        typeof c.reason === 'string' ? new RegExp(`^${c.reason.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : c.reason
      expect(res.json.message, c.name).toMatch(/^verification failed: /)
      expect(res.json.message.replace(/^verification failed: /, ''), c.name).toMatch(reason)
      // Recorded and flagged for debugging, with the same reason.
      expect(stored.failure_reason, c.name).toMatch(reason)
      expect(stored.status, c.name).toBe('Failure')
      expect(await relayServes(t, source.url), `${c.name}: relay still serves`).toBe(true)
    }
  }
}

describe('Convoy verifiers', () => {
  it('noop accepts anything, signed or not', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'open'})
    expect(source.verifier.type).toBe('noop')
    await check(t, source, [
      {name: 'no headers', headers: {}},
      {name: 'stray signature', headers: {'X-Hub-Signature-256': 'sha256=00'}},
    ])
  })

  it('hmac with a custom header, SHA512 and base64', async () => {
    const t = await useRelay()
    const secret = 'custom-secret'
    const source = await createSource(t, {
      name: 'custom',
      verifier: {type: 'hmac', hmac: {header: 'X-Custom-Sig', hash: 'SHA512', encoding: 'base64', secret}},
    })
    const good = hmacOf('sha512', secret, BODY).toString('base64')
    await check(t, source, [
      {name: 'valid', headers: {'X-Custom-Sig': good}},
      {name: 'header name in another case', headers: {'x-CUSTOM-sig': good}},
      {
        name: 'hex instead of base64',
        headers: {'X-Custom-Sig': hmacOf('sha512', secret, BODY).toString('hex')},
        reason: 'signature mismatch (X-Custom-Sig)',
      },
      {
        name: 'SHA256 instead of SHA512',
        headers: {'X-Custom-Sig': hmacOf('sha256', secret, BODY).toString('base64')},
        reason: 'signature mismatch (X-Custom-Sig)',
      },
      {
        name: 'wrong secret',
        headers: {'X-Custom-Sig': hmacOf('sha512', 'nope', BODY).toString('base64')},
        reason: 'signature mismatch (X-Custom-Sig)',
      },
      {
        name: 'body changed',
        headers: {'X-Custom-Sig': good},
        body: BODY.replace('1000', '1001'),
        reason: 'signature mismatch (X-Custom-Sig)',
      },
      {
        name: 'not base64',
        headers: {'X-Custom-Sig': '!!not base64!!'},
        reason: 'malformed X-Custom-Sig header (expected base64 SHA512 HMAC)',
      },
      {name: 'missing header', headers: {}, reason: 'missing X-Custom-Sig header'},
    ])
  })

  it('hmac SHA256 hex (the defaults)', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'hex', verifier: {type: 'hmac', hmac: {header: 'X-Sig', secret: 's'}}})
    expect(source.verifier.hmac).toMatchObject({hash: 'SHA256', encoding: 'hex'})
    const binary = randomBytes(300)
    await check(t, source, [
      {name: 'valid', headers: {'X-Sig': hmacOf('sha256', 's', BODY).toString('hex')}},
      {
        name: 'valid over a binary body',
        headers: {'X-Sig': hmacOf('sha256', 's', binary).toString('hex')},
        body: binary,
      },
      {
        name: 'wrong',
        headers: {'X-Sig': hmacOf('sha256', 't', BODY).toString('hex')},
        reason: 'signature mismatch (X-Sig)',
      },
    ])
  })

  it('basic_auth', async () => {
    const t = await useRelay()
    const source = await createSource(t, {
      name: 'basic',
      verifier: {type: 'basic_auth', basic_auth: {username: 'hook', password: 'p:a:ss'}},
    })
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
    await check(t, source, [
      {name: 'valid (password with colons)', headers: {Authorization: basic('hook', 'p:a:ss')}},
      {
        name: 'wrong password',
        headers: {Authorization: basic('hook', 'p:a:sS')},
        reason: 'invalid basic auth credentials',
      },
      {name: 'wrong user', headers: {Authorization: basic('hoot', 'p:a:ss')}, reason: 'invalid basic auth credentials'},
      {
        name: 'bearer instead of basic',
        headers: {Authorization: 'Bearer abc'},
        reason: 'Authorization header is not Basic auth',
      },
      {name: 'missing', headers: {}, reason: 'missing Authorization header'},
    ])
  })

  it('api_key', async () => {
    const t = await useRelay()
    const source = await createSource(t, {
      name: 'keyed',
      verifier: {type: 'api_key', api_key: {header_name: 'X-Api-Key', header_value: 'k3y'}},
    })
    await check(t, source, [
      {name: 'valid', headers: {'X-Api-Key': 'k3y'}},
      {name: 'wrong', headers: {'X-Api-Key': 'k3Y'}, reason: 'invalid API key in X-Api-Key header'},
      {name: 'missing', headers: {}, reason: 'missing X-Api-Key header'},
    ])
  })
})

describe('providers', () => {
  it('github: X-Hub-Signature-256 over the raw bytes; SHA-1 alone is not enough', async () => {
    const t = await useRelay()
    const secret = 'gh-secret'
    const source = await createSource(t, {name: 'github', provider: 'github', verifier: {type: 'hmac', hmac: {secret}}})
    const sig = `sha256=${hmacOf('sha256', secret, BODY).toString('hex')}`
    await check(t, source, [
      {name: 'valid', headers: {'X-Hub-Signature-256': sig, 'X-GitHub-Event': 'push'}},
      {
        name: 'wrong secret',
        headers: {'X-Hub-Signature-256': `sha256=${hmacOf('sha256', 'x', BODY).toString('hex')}`},
        reason: 'signature mismatch (X-Hub-Signature-256)',
      },
      {
        name: 're-serialised body',
        headers: {'X-Hub-Signature-256': sig},
        body: JSON.stringify(JSON.parse(BODY), null, 1),
        reason: 'signature mismatch (X-Hub-Signature-256)',
      },
      {
        name: 'no sha256= prefix',
        headers: {'X-Hub-Signature-256': hmacOf('sha256', secret, BODY).toString('hex')},
        reason: 'malformed X-Hub-Signature-256 header (expected sha256=<hex>)',
      },
      {
        name: 'SHA-1 header only',
        headers: {'X-Hub-Signature': `sha1=${hmacOf('sha1', secret, BODY).toString('hex')}`},
        reason: 'missing X-Hub-Signature-256 header',
      },
    ])
  })

  it('stripe: t=,v1= with a 5 minute tolerance', async () => {
    const t = await useRelay()
    const secret = 'whsec_stripe_test_secret'
    const source = await createSource(t, {name: 'stripe', provider: 'stripe', verifier: {type: 'hmac', hmac: {secret}}})
    const sign = (ts: number, key = secret, body = BODY) =>
      `t=${ts},v1=${hmacOf('sha256', key, `${ts}.`, body).toString('hex')}`
    const now = nowSeconds()
    await check(t, source, [
      {name: 'valid', headers: {'Stripe-Signature': sign(now)}},
      // Another event id: the Stripe preset takes its idempotency key from body.id.
      {
        name: 'valid among several v1 (secret rotation) and a v0',
        headers: {
          'Stripe-Signature': `${sign(now, 'old', BODY2)},v1=${hmacOf('sha256', secret, `${now}.`, BODY2).toString('hex')},v0=abc`,
        },
        body: BODY2,
      },
      {
        name: 'wrong secret',
        headers: {'Stripe-Signature': sign(now, 'whsec_other')},
        reason: 'signature mismatch (Stripe-Signature)',
      },
      {
        name: 'timestamp changed after signing',
        headers: {'Stripe-Signature': sign(now).replace(`t=${now}`, `t=${now + 1}`)},
        reason: 'signature mismatch (Stripe-Signature)',
      },
      {
        name: 'stale (10 minutes old)',
        headers: {'Stripe-Signature': sign(now - 600)},
        reason: /^Stripe-Signature timestamp \d+ is 60\d s old \(tolerance 300 s\)$/,
      },
      {
        name: 'no timestamp',
        headers: {'Stripe-Signature': 'v1=abcd'},
        reason: 'malformed Stripe-Signature header (no t= timestamp)',
      },
      {
        name: 'no v1',
        headers: {'Stripe-Signature': `t=${now}`},
        reason: 'malformed Stripe-Signature header (no v1= signature)',
      },
      {name: 'missing', headers: {}, reason: 'missing Stripe-Signature header'},
    ])
  })

  it('shopify: base64 HMAC-SHA256', async () => {
    const t = await useRelay()
    const secret = 'shpss_secret'
    const source = await createSource(t, {
      name: 'shopify',
      provider: 'shopify',
      verifier: {type: 'hmac', hmac: {secret}},
    })
    await check(t, source, [
      {
        name: 'valid',
        headers: {
          'X-Shopify-Hmac-Sha256': hmacOf('sha256', secret, BODY).toString('base64'),
          'X-Shopify-Topic': 'orders/create',
        },
      },
      {
        name: 'hex instead of base64',
        headers: {'X-Shopify-Hmac-Sha256': hmacOf('sha256', secret, BODY).toString('hex')},
        reason: 'signature mismatch (X-Shopify-Hmac-Sha256)',
      },
      {
        name: 'wrong secret',
        headers: {'X-Shopify-Hmac-Sha256': hmacOf('sha256', 'x', BODY).toString('base64')},
        reason: 'signature mismatch (X-Shopify-Hmac-Sha256)',
      },
      {name: 'missing', headers: {}, reason: 'missing X-Shopify-Hmac-Sha256 header'},
    ])
  })

  it('standard-webhooks: signed by the standardwebhooks library (and svix-* headers by svix)', async () => {
    const t = await useRelay()
    const secret = `whsec_${randomBytes(24).toString('base64')}`
    const source = await createSource(t, {
      name: 'sw',
      provider: 'standard-webhooks',
      verifier: {type: 'hmac', hmac: {secret}},
    })
    const lib = new StandardWebhook(secret)
    const svix = new SvixWebhook(secret)
    const headersFor = (
      id: string,
      date: Date,
      body: string = BODY,
      prefix = 'webhook',
      signer: {sign: StandardWebhook['sign']} = lib,
    ) => ({
      [`${prefix}-id`]: id,
      [`${prefix}-timestamp`]: String(Math.floor(date.getTime() / 1000)),
      [`${prefix}-signature`]: signer.sign(id, date, body),
    })
    const now = new Date()
    const stale = new Date(Date.now() - 10 * 60_000)
    const future = new Date(Date.now() + 10 * 60_000)
    const tampered = headersFor('msg_2', now)
    await check(t, source, [
      {name: 'valid', headers: headersFor('msg_1', now)},
      {name: 'valid svix-* headers signed by svix', headers: headersFor('msg_svix', now, BODY, 'svix', svix)},
      {
        name: 'body changed',
        headers: tampered,
        body: BODY.replace('1000', '9'),
        reason: 'signature mismatch (webhook-signature)',
      },
      {
        name: 'id changed',
        headers: {...headersFor('msg_3', now), 'webhook-id': 'msg_other'},
        reason: 'signature mismatch (webhook-signature)',
      },
      {
        name: 'stale',
        headers: headersFor('msg_4', stale),
        reason: /^webhook-timestamp \d+ is 60\d s old \(tolerance 300 s\)$/,
      },
      {
        name: 'from the future',
        headers: headersFor('msg_5', future),
        reason: /^webhook-timestamp \d+ is (59\d|60\d) s in the future \(tolerance 300 s\)$/,
      },
      {
        name: 'missing signature',
        headers: {'webhook-id': 'msg_6', 'webhook-timestamp': String(nowSeconds())},
        reason: 'missing webhook-signature header',
      },
      {name: 'no headers at all', headers: {}, reason: 'missing webhook-id header'},
    ])
  })
})

describe('flagged events are not forwarded', () => {
  it('a failed verification makes no delivery to a listener; a valid one does', async () => {
    const t = await useRelay()
    const secret = 'gh'
    const source = await createSource(t, {name: 'github', provider: 'github', verifier: {type: 'hmac', hmac: {secret}}})
    const registered = await fetch(`${t.url}${t.p('/listeners')}`, {
      method: 'POST',
      headers: {authorization: `Bearer ${t.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({name: 'l1', source: 'github', target: 'http://127.0.0.1:9/hooks'}),
    })
    expect(registered.status).toBe(201)
    const bad = await rawRequest(source.url, {headers: {'X-Hub-Signature-256': 'sha256=not-hex'}, body: BODY})
    const good = await rawRequest(source.url, {
      headers: {'X-Hub-Signature-256': `sha256=${hmacOf('sha256', secret, BODY).toString('hex')}`},
      body: BODY,
    })
    expect([bad.status, good.status]).toEqual([401, 200])
    const [failed, ok] = await eventsOf(t, source.uid)
    expect(failed.failure_reason).toBe('malformed X-Hub-Signature-256 header (expected sha256=<hex>)')
    expect(failed.endpoints).toEqual([])
    expect(ok.endpoints).toHaveLength(1)
  })
})
