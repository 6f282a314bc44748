import {createHmac} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {Webhook} from 'standardwebhooks'
import {describe, expect, it} from 'vitest'

import {type InboundHeaders, type VerifierConfig, verifyInbound} from '../../src/ingest/verifier.js'

const readReference = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/reference/${name}`, import.meta.url), 'utf8'))

const T = 1_700_000_000
const NOW = T * 1000
const body = Buffer.from('{"id":"evt_1","type":"thing.happened","amount":1000}')

const verify = (config: VerifierConfig, headers: InboundHeaders, raw = body, now = NOW) =>
  verifyInbound(config, {headers, body: raw, now})
const rejected = (reason: string) => ({ok: false, reason})

describe('noop', () => {
  it('accepts anything', () => {
    expect(verify({type: 'noop'}, {})).toEqual({ok: true})
  })
})

describe('hmac (Convoy source verifier)', () => {
  type ConvoyVector = {
    name: string
    advanced: boolean
    hash: 'SHA256' | 'SHA512'
    encoding: 'hex' | 'base64'
    secret: string
    payload: string
    header: string
    valid: boolean
  }
  const simple = (readReference('convoy-signature-vectors.json') as ConvoyVector[]).filter((v) => !v.advanced)

  it.each(simple.map((v) => [v.name, v]))('Convoy vector %s', (_name, v) => {
    const config: VerifierConfig = {
      type: 'hmac',
      hmac: {header: 'X-Convoy-Signature', hash: v.hash, encoding: v.encoding, secret: v.secret},
    }
    const result = verify(config, {'x-convoy-signature': v.header}, Buffer.from(v.payload))
    expect(result).toEqual(v.valid ? {ok: true} : rejected('signature mismatch (X-Convoy-Signature)'))
  })

  const config: VerifierConfig = {
    type: 'hmac',
    hmac: {header: 'X-Signature', hash: 'SHA256', encoding: 'hex', secret: 'shh'},
  }
  const hex = createHmac('sha256', 'shh').update(body).digest('hex')

  it('accepts an algorithm prefix and upper-case hex', () => {
    expect(verify(config, {'x-signature': `sha256=${hex}`})).toEqual({ok: true})
    expect(verify(config, {'x-signature': hex.toUpperCase()})).toEqual({ok: true})
  })

  it('explains each failure', () => {
    expect(verify(config, {})).toEqual(rejected('missing X-Signature header'))
    expect(verify(config, {'x-signature': 'not-hex!'})).toEqual(
      rejected('malformed X-Signature header (expected hex SHA256 HMAC)'),
    )
    expect(verify(config, {'x-signature': hex}, Buffer.from('tampered'))).toEqual(
      rejected('signature mismatch (X-Signature)'),
    )
    // A SHA-512 MAC under a SHA-256 config has the wrong length, which is a mismatch, not a crash.
    const sha512 = createHmac('sha512', 'shh').update(body).digest('hex')
    expect(verify(config, {'x-signature': sha512})).toEqual(rejected('signature mismatch (X-Signature)'))
  })
})

describe('basic_auth', () => {
  const config: VerifierConfig = {type: 'basic_auth', basic_auth: {username: 'caravan', password: 'p:ss word'}}
  const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`

  it('accepts the right credentials, including a password containing a colon', () => {
    expect(verify(config, {authorization: basic('caravan:p:ss word')})).toEqual({ok: true})
  })

  it('explains each failure', () => {
    expect(verify(config, {})).toEqual(rejected('missing Authorization header'))
    expect(verify(config, {authorization: 'Bearer abc'})).toEqual(rejected('Authorization header is not Basic auth'))
    expect(verify(config, {authorization: basic('caravan:wrong')})).toEqual(rejected('invalid basic auth credentials'))
    expect(verify(config, {authorization: basic('other:p:ss word')})).toEqual(
      rejected('invalid basic auth credentials'),
    )
    expect(verify(config, {authorization: basic('caravan')})).toEqual(rejected('invalid basic auth credentials'))
  })
})

describe('api_key', () => {
  const config: VerifierConfig = {type: 'api_key', api_key: {header_name: 'X-Api-Key', header_value: 'k-123'}}

  it('accepts the key, matching the header name case-insensitively', () => {
    expect(verify(config, {'x-api-key': 'k-123'})).toEqual({ok: true})
    expect(verify(config, {'X-API-KEY': 'k-123'})).toEqual({ok: true})
  })

  it('explains each failure', () => {
    expect(verify(config, {})).toEqual(rejected('missing X-Api-Key header'))
    expect(verify(config, {'x-api-key': 'k-124'})).toEqual(rejected('invalid API key in X-Api-Key header'))
    expect(verify(config, {'x-api-key': ''})).toEqual(rejected('invalid API key in X-Api-Key header'))
  })
})

describe('github', () => {
  it("verifies GitHub's documented example delivery", () => {
    // From GitHub's "Validating webhook deliveries" guide.
    const config: VerifierConfig = {type: 'github', secret: "It's a Secret to Everybody"}
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'
    expect(verify(config, {'x-hub-signature-256': signature}, Buffer.from('Hello, World!'))).toEqual({ok: true})
  })

  const config: VerifierConfig = {type: 'github', secret: 'gh-secret'}
  const signature = `sha256=${createHmac('sha256', 'gh-secret').update(body).digest('hex')}`

  it('explains each failure', () => {
    const sha1 = `sha1=${createHmac('sha1', 'gh-secret').update(body).digest('hex')}`
    expect(verify(config, {'x-hub-signature': sha1})).toEqual(rejected('missing X-Hub-Signature-256 header'))
    expect(verify(config, {'x-hub-signature-256': signature.slice('sha256='.length)})).toEqual(
      rejected('malformed X-Hub-Signature-256 header (expected sha256=<hex>)'),
    )
    expect(verify(config, {'x-hub-signature-256': signature}, Buffer.from('{}'))).toEqual(
      rejected('signature mismatch (X-Hub-Signature-256)'),
    )
    expect(verify({type: 'github', secret: 'other'}, {'x-hub-signature-256': signature})).toEqual(
      rejected('signature mismatch (X-Hub-Signature-256)'),
    )
    expect(verify({type: 'github', secret: ''}, {'x-hub-signature-256': signature})).toEqual(
      rejected('no secret configured for the github verifier'),
    )
  })

  it('takes the first value of a repeated header', () => {
    expect(verify(config, {'x-hub-signature-256': [signature, 'sha256=00']})).toEqual({ok: true})
  })
})

describe('stripe', () => {
  const secret = 'whsec_test_5Yb2mVfN0qkq3ZzWcRm1'
  // Built by hand per https://docs.stripe.com/webhooks#verify-manually: HMAC-SHA256 keyed with the
  // whole endpoint secret over "<t>.<payload>", hex encoded, sent as `t=<t>,v1=<sig>`.
  const stripeSig = (t: number, payload = body, key = secret) =>
    createHmac('sha256', key)
      .update(`${t}.${payload.toString('utf8')}`)
      .digest('hex')
  const config: VerifierConfig = {type: 'stripe', secret}

  it('accepts a valid signature, with v0 and extra v1 entries (rolled secrets) around it', () => {
    expect(verify(config, {'stripe-signature': `t=${T},v1=${stripeSig(T)}`})).toEqual({ok: true})
    const header = `t=${T},v1=${stripeSig(T, body, 'old-secret')},v1=${stripeSig(T)},v0=${'0'.repeat(64)}`
    expect(verify(config, {'stripe-signature': header})).toEqual({ok: true})
  })

  it('explains malformed headers', () => {
    expect(verify(config, {})).toEqual(rejected('missing Stripe-Signature header'))
    expect(verify(config, {'stripe-signature': `v1=${stripeSig(T)}`})).toEqual(
      rejected('malformed Stripe-Signature header (no t= timestamp)'),
    )
    expect(verify(config, {'stripe-signature': `t=${T}`})).toEqual(
      rejected('malformed Stripe-Signature header (no v1= signature)'),
    )
    expect(verify(config, {'stripe-signature': `t=${T},v0=${stripeSig(T)}`})).toEqual(
      rejected('malformed Stripe-Signature header (no v1= signature)'),
    )
    expect(verify(config, {'stripe-signature': `t=Infinity,v1=${stripeSig(T)}`})).toEqual(
      rejected('invalid Stripe-Signature timestamp "Infinity"'),
    )
  })

  it('rejects a signature over other content', () => {
    const mismatch = rejected('signature mismatch (Stripe-Signature)')
    expect(verify(config, {'stripe-signature': `t=${T},v1=${stripeSig(T)}`}, Buffer.from('{}'))).toEqual(mismatch)
    // The timestamp is signed too, so it can't be moved forward to dodge the tolerance.
    expect(verify(config, {'stripe-signature': `t=${T + 1},v1=${stripeSig(T)}`})).toEqual(mismatch)
    expect(verify(config, {'stripe-signature': `t=${T},v1=${stripeSig(T, body, 'wrong')}`})).toEqual(mismatch)
  })

  it('enforces the 300 s default tolerance at its edge', () => {
    const header = {'stripe-signature': `t=${T},v1=${stripeSig(T)}`}
    expect(verify(config, header, body, NOW + 300_999)).toEqual({ok: true})
    expect(verify(config, header, body, NOW + 301_000)).toEqual(
      rejected('Stripe-Signature timestamp 1700000000 is 301 s old (tolerance 300 s)'),
    )
    expect(verify(config, header, body, NOW + 512_000)).toEqual(
      rejected('Stripe-Signature timestamp 1700000000 is 512 s old (tolerance 300 s)'),
    )
  })

  it('like Stripe, does not limit timestamps from the future', () => {
    expect(verify(config, {'stripe-signature': `t=${T},v1=${stripeSig(T)}`}, body, NOW - 3_600_000)).toEqual({
      ok: true,
    })
  })

  it('honours a configured tolerance, and 0 turns the check off', () => {
    const header = {'stripe-signature': `t=${T},v1=${stripeSig(T)}`}
    expect(verify({...config, toleranceSeconds: 60}, header, body, NOW + 61_000)).toEqual(
      rejected('Stripe-Signature timestamp 1700000000 is 61 s old (tolerance 60 s)'),
    )
    expect(verify({...config, toleranceSeconds: 0}, header, body, NOW + 86_400_000)).toEqual({ok: true})
  })
})

describe('shopify', () => {
  const config: VerifierConfig = {type: 'shopify', secret: 'shpss_0123456789abcdef'}
  const signature = createHmac('sha256', 'shpss_0123456789abcdef').update(body).digest('base64')

  it('accepts a valid signature', () => {
    expect(verify(config, {'x-shopify-hmac-sha256': signature})).toEqual({ok: true})
  })

  it('explains each failure', () => {
    expect(verify(config, {})).toEqual(rejected('missing X-Shopify-Hmac-Sha256 header'))
    expect(verify(config, {'x-shopify-hmac-sha256': 'not base64!'})).toEqual(
      rejected('malformed X-Shopify-Hmac-Sha256 header (expected base64 HMAC-SHA256)'),
    )
    expect(verify(config, {'x-shopify-hmac-sha256': signature}, Buffer.from('{}'))).toEqual(
      rejected('signature mismatch (X-Shopify-Hmac-Sha256)'),
    )
  })
})

describe('standard-webhooks', () => {
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
  const config: VerifierConfig = {type: 'standard-webhooks', secret}
  const msgId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'
  // The independent implementation signs; ours only verifies.
  const sign = (t: number, payload = body, key = secret) => new Webhook(key).sign(msgId, new Date(t * 1000), payload)
  const headers = (t: number, signature = sign(t)) => ({
    'webhook-id': msgId,
    'webhook-timestamp': String(t),
    'webhook-signature': signature,
  })

  it('accepts a signature made by the standardwebhooks library', () => {
    expect(verify(config, headers(T))).toEqual({ok: true})
  })

  it('accepts the Svix header names', () => {
    const svix = {'svix-id': msgId, 'svix-timestamp': String(T), 'svix-signature': sign(T)}
    expect(verify(config, svix)).toEqual({ok: true})
  })

  it('accepts a secret without the whsec_ prefix', () => {
    const bare: VerifierConfig = {type: 'standard-webhooks', secret: secret.slice('whsec_'.length)}
    expect(verify(bare, headers(T))).toEqual({ok: true})
  })

  it('accepts a match among several space-separated signatures of mixed versions', () => {
    const decoy = 'Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc='
    const list = `v1a,${decoy} v1,${decoy} ${sign(T)}`
    expect(verify(config, headers(T, list))).toEqual({ok: true})
  })

  type Vector = {
    name: string
    secret: string
    msgId: string
    timestamp: number
    payload?: string
    payloadRepeat?: {char: string; count: number}
    signature: string
  }
  const reference = readReference('standard-webhooks-test-vectors.json') as {
    hmac_v1: Vector[]
    negative: {name: string; signature?: string; signatures?: string[]}[]
  }

  it.each(reference.hmac_v1.map((v) => [v.name, v]))('Standard Webhooks vector: %s', (_name, v) => {
    const payload = Buffer.from(v.payload ?? v.payloadRepeat!.char.repeat(v.payloadRepeat!.count))
    const vectorHeaders = {
      'webhook-id': v.msgId,
      'webhook-timestamp': String(v.timestamp),
      'webhook-signature': v.signature,
    }
    const result = verify({type: 'standard-webhooks', secret: v.secret}, vectorHeaders, payload, v.timestamp * 1000)
    expect(result).toEqual({ok: true})
  })

  it('rejects the negative vectors', () => {
    const [canonical] = reference.hmac_v1
    const bad = reference.negative.flatMap((n) => n.signatures ?? [n.signature!])
    expect(bad.length).toBeGreaterThan(3)
    for (const signature of bad) {
      const vectorHeaders = {
        'webhook-id': canonical.msgId,
        'webhook-timestamp': String(canonical.timestamp),
        'webhook-signature': signature,
      }
      const result = verify(
        {type: 'standard-webhooks', secret: canonical.secret},
        vectorHeaders,
        Buffer.from(canonical.payload!),
        canonical.timestamp * 1000,
      )
      expect(result.ok, signature).toBe(false)
    }
  })

  it('explains missing and malformed headers', () => {
    const {'webhook-id': _id, ...noId} = headers(T)
    const {'webhook-timestamp': _ts, ...noTimestamp} = headers(T)
    const {'webhook-signature': _sig, ...noSignature} = headers(T)
    expect(verify(config, {})).toEqual(rejected('missing webhook-id header'))
    expect(verify(config, noId)).toEqual(rejected('missing webhook-id header'))
    expect(verify(config, noTimestamp)).toEqual(rejected('missing webhook-timestamp header'))
    expect(verify(config, noSignature)).toEqual(rejected('missing webhook-signature header'))
    expect(verify(config, {'svix-id': msgId, 'svix-timestamp': String(T)})).toEqual(
      rejected('missing svix-signature header'),
    )
    expect(verify(config, {...headers(T), 'webhook-timestamp': '17e8'})).toEqual(
      rejected('invalid webhook-timestamp "17e8"'),
    )
    expect(verify(config, headers(T, 'v2,abc v1a,def'))).toEqual(
      rejected('webhook-signature header has no v1 signature'),
    )
  })

  it('rejects signatures over other content', () => {
    const mismatch = rejected('signature mismatch (webhook-signature)')
    expect(verify(config, headers(T), Buffer.from('{}'))).toEqual(mismatch)
    expect(verify(config, {...headers(T), 'webhook-id': 'msg_other'})).toEqual(mismatch)
    expect(verify(config, headers(T, sign(T, body, 'whsec_QWxzbyBhIHNlY3JldCBidXQgYW5vdGhlcg==')))).toEqual(mismatch)
  })

  it('enforces the 300 s tolerance in both directions, at its edges', () => {
    expect(verify(config, headers(T), body, NOW + 300_999)).toEqual({ok: true})
    expect(verify(config, headers(T), body, NOW - 300_000)).toEqual({ok: true})
    expect(verify(config, headers(T), body, NOW + 301_000)).toEqual(
      rejected('webhook-timestamp 1700000000 is 301 s old (tolerance 300 s)'),
    )
    expect(verify(config, headers(T), body, NOW - 301_000)).toEqual(
      rejected('webhook-timestamp 1700000000 is 301 s in the future (tolerance 300 s)'),
    )
    const svix = {'svix-id': msgId, 'svix-timestamp': String(T), 'svix-signature': sign(T)}
    expect(verify(config, svix, body, NOW + 600_000)).toEqual(
      rejected('svix-timestamp 1700000000 is 600 s old (tolerance 300 s)'),
    )
  })

  it('signs the body bytes, so non-UTF-8 bodies verify', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80])
    const t = String(T)
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64')
    const signature = createHmac('sha256', key).update(`${msgId}.${t}.`).update(binary).digest('base64')
    expect(verify(config, headers(T, `v1,${signature}`), binary)).toEqual({ok: true})
  })

  it('reports an unusable secret', () => {
    expect(verify({type: 'standard-webhooks', secret: 'whsec_'}, headers(T))).toEqual(
      rejected('invalid standard-webhooks secret (expected whsec_<base64>)'),
    )
    expect(verify({type: 'standard-webhooks', secret: 'whsec_not base64!'}, headers(T))).toEqual(
      rejected('invalid standard-webhooks secret (expected whsec_<base64>)'),
    )
  })
})

describe('unknown types', () => {
  it('fails with a reason instead of throwing', () => {
    const config = {type: 'carrier_pigeon'} as unknown as VerifierConfig
    expect(verify(config, {})).toEqual(rejected('unknown verifier type "carrier_pigeon"'))
  })
})
