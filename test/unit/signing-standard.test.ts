import {readFileSync} from 'node:fs'
import {Webhook as StandardWebhook} from 'standardwebhooks'
import {Webhook as SvixWebhook} from 'svix'
import {describe, expect, it} from 'vitest'

import {
  generateStandardSecret,
  signStandardWebhook,
  standardPublicKey,
  standardWebhookHeaders,
  verifyStandardWebhook,
} from '../../src/signing/index.js'

type HmacVector = {
  name: string
  secret: string
  msgId: string
  timestamp: number
  payload?: string
  payloadRepeat?: {char: string; count: number}
  signature: string
}
type Ed25519Vector = {
  name: string
  secretKey: string
  publicKey: string
  msgId: string
  timestamp: number
  payload: string
  signature: string
}
type NegativeVector = {name: string; signature?: string; signatures?: string[]}
type Vectors = {hmac_v1: HmacVector[]; ed25519_v1a: Ed25519Vector[]; negative: NegativeVector[]}

// A copy kept in the repo (see test/fixtures/reference/README.md), so a bare clone passes.
const vectors: Vectors = JSON.parse(
  readFileSync(new URL('../fixtures/reference/standard-webhooks-test-vectors.json', import.meta.url), 'utf8'),
)

const payloadOf = (v: HmacVector): string => v.payload ?? v.payloadRepeat!.char.repeat(v.payloadRepeat!.count)
// Vectors are years old: verify them against a clock set to their own timestamp.
const at = (timestamp: number): number => timestamp * 1000

describe('Standard Webhooks v1 (HMAC-SHA256) vectors', () => {
  for (const v of vectors.hmac_v1) {
    it(`${v.name}: signs`, () => {
      expect(
        signStandardWebhook({id: v.msgId, timestamp: v.timestamp, payload: payloadOf(v), secrets: [v.secret]}),
      ).toBe(v.signature)
    })

    it(`${v.name}: verifies (string and bytes)`, () => {
      for (const payload of [payloadOf(v), Buffer.from(payloadOf(v))]) {
        const result = verifyStandardWebhook({
          id: v.msgId,
          timestamp: String(v.timestamp),
          payload,
          signatureHeader: v.signature,
          secret: v.secret,
          now: at(v.timestamp),
        })
        expect(result).toEqual({valid: true})
      }
    })

    it(`${v.name}: a one-byte change in the body is rejected`, () => {
      const result = verifyStandardWebhook({
        id: v.msgId,
        timestamp: v.timestamp,
        payload: `${payloadOf(v)} `,
        signatureHeader: v.signature,
        secret: v.secret,
        now: at(v.timestamp),
      })
      expect(result).toEqual({valid: false, reason: 'no matching signature: none of 1 v1 signature matches'})
    })
  }
})

describe('Standard Webhooks v1a (ed25519) vectors', () => {
  for (const v of vectors.ed25519_v1a) {
    it(`${v.name}: signs with the whsk_ key`, () => {
      expect(
        signStandardWebhook({id: v.msgId, timestamp: v.timestamp, payload: v.payload, secrets: [v.secretKey]}),
      ).toBe(v.signature)
    })

    it(`${v.name}: verifies with the whpk_ and the whsk_ key`, () => {
      for (const secret of [v.publicKey, v.secretKey]) {
        const result = verifyStandardWebhook({
          id: v.msgId,
          timestamp: v.timestamp,
          payload: v.payload,
          signatureHeader: v.signature,
          secret,
          now: at(v.timestamp),
        })
        expect(result).toEqual({valid: true})
      }
    })

    it(`${v.name}: the whpk_ key is derived from the whsk_ key`, () => {
      expect(standardPublicKey(v.secretKey)).toBe(v.publicKey)
    })

    it(`${v.name}: another message id is rejected`, () => {
      const result = verifyStandardWebhook({
        id: `${v.msgId}x`,
        timestamp: v.timestamp,
        payload: v.payload,
        signatureHeader: v.signature,
        secret: v.publicKey,
        now: at(v.timestamp),
      })
      expect(result).toEqual({valid: false, reason: 'no matching signature: none of 1 v1a signature matches'})
    })
  }
})

describe('Standard Webhooks negative vectors', () => {
  // The negative cases carry signatures only; they belong to the canonical message and secret.
  const canonical = vectors.hmac_v1[0]
  const verify = (signatureHeader: string) =>
    verifyStandardWebhook({
      id: canonical.msgId,
      timestamp: canonical.timestamp,
      payload: payloadOf(canonical),
      signatureHeader,
      secret: canonical.secret,
      now: at(canonical.timestamp),
    })
  const negatives = vectors.negative.flatMap((n) => (n.signatures ?? [n.signature!]).map((s) => ({name: n.name, s})))

  it('covers every negative signature in the file', () => {
    expect(negatives.length).toBe(5)
  })

  for (const {name, s} of negatives) {
    it(`${name}: "${s}" alone is rejected`, () => {
      expect(verify(s).valid).toBe(false)
    })

    it(`${name}: "${s}" beside the valid signature does not stop it verifying`, () => {
      expect(verify(`${s} ${canonical.signature}`)).toEqual({valid: true})
      expect(verify(`${canonical.signature} ${s}`)).toEqual({valid: true})
    })
  }

  it('gives a clear reason when no entry has the right version', () => {
    expect(verify('v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=')).toEqual({
      valid: false,
      reason: 'no v1 signature in webhook-signature (found: v2)',
    })
    expect(
      verify('v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg=='),
    ).toEqual({
      valid: false,
      reason: 'no v1 signature in webhook-signature (found: v1a)',
    })
  })

  it('rejects a valid signature with trailing junk', () => {
    expect(verify(`${canonical.signature}AAAA`).valid).toBe(false)
  })
})

describe('Standard Webhooks timestamps', () => {
  const v = vectors.hmac_v1[0]
  const verify = (nowSeconds: number, toleranceSeconds?: number) =>
    verifyStandardWebhook({
      id: v.msgId,
      timestamp: String(v.timestamp),
      payload: payloadOf(v),
      signatureHeader: v.signature,
      secret: v.secret,
      toleranceSeconds,
      now: at(nowSeconds),
    })

  it('accepts up to 5 minutes either way by default', () => {
    expect(verify(v.timestamp + 300)).toEqual({valid: true})
    expect(verify(v.timestamp - 300)).toEqual({valid: true})
  })

  it('rejects stale and future timestamps', () => {
    expect(verify(v.timestamp + 301)).toEqual({
      valid: false,
      reason: 'timestamp outside tolerance: 1614265330 is 301 s in the past (tolerance 300 s)',
    })
    expect(verify(v.timestamp - 301)).toEqual({
      valid: false,
      reason: 'timestamp outside tolerance: 1614265330 is 301 s in the future (tolerance 300 s)',
    })
    expect(verify(v.timestamp + 30, 10).valid).toBe(false)
  })

  it('rejects a timestamp that is not unix seconds', () => {
    for (const timestamp of ['', 'Infinity', '1614265330.5', '-1', '1e9', 'abc']) {
      const result = verifyStandardWebhook({
        id: v.msgId,
        timestamp,
        payload: payloadOf(v),
        signatureHeader: v.signature,
        secret: v.secret,
        now: at(v.timestamp),
      })
      expect(result).toEqual({
        valid: false,
        reason: `malformed webhook-timestamp "${timestamp}": expected unix seconds`,
      })
    }
  })

  it('reports missing headers', () => {
    const base = {timestamp: v.timestamp, payload: payloadOf(v), secret: v.secret, now: at(v.timestamp)}
    expect(verifyStandardWebhook({...base, id: '', signatureHeader: v.signature})).toEqual({
      valid: false,
      reason: 'missing webhook-id',
    })
    expect(verifyStandardWebhook({...base, id: v.msgId, signatureHeader: ''})).toEqual({
      valid: false,
      reason: 'missing webhook-signature',
    })
  })
})

describe('Standard Webhooks round-trips through independent verifiers', () => {
  const payload = '{"type":"invoice.paid","data":{"id":"inv_1","amount":4200,"note":"café ☕"}}'
  const id = 'msg_2hCKVdH3M5cB6wT0ZfY7oN1pQ8r'
  const fresh = () => Math.floor(Date.now() / 1000)

  it('the standardwebhooks library verifies what we sign', () => {
    const secret = generateStandardSecret('whsec')
    const headers = standardWebhookHeaders({id, timestamp: fresh(), payload, secrets: [secret]})
    expect(new StandardWebhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload))
    expect(new StandardWebhook(secret).verify(Buffer.from(payload), headers)).toEqual(JSON.parse(payload))
  })

  it('the svix library verifies what we sign, with webhook-* and svix-* header names', () => {
    const secret = generateStandardSecret('whsec')
    const headers = standardWebhookHeaders({id, timestamp: fresh(), payload, secrets: [secret]})
    expect(new SvixWebhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload))
    const svixHeaders = {
      'svix-id': headers['webhook-id'],
      'svix-timestamp': headers['webhook-timestamp'],
      'svix-signature': headers['webhook-signature'],
    }
    expect(new SvixWebhook(secret).verify(payload, svixHeaders)).toEqual(JSON.parse(payload))
  })

  it('we verify what the standardwebhooks library signs', () => {
    const secret = generateStandardSecret('whsec')
    const timestamp = fresh()
    const signatureHeader = new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), payload)
    expect(verifyStandardWebhook({id, timestamp: String(timestamp), payload, signatureHeader, secret})).toEqual({
      valid: true,
    })
  })

  it('the libraries reject what we signed with another secret', () => {
    const headers = standardWebhookHeaders({
      id,
      timestamp: fresh(),
      payload,
      secrets: [generateStandardSecret('whsec')],
    })
    const other = generateStandardSecret('whsec')
    expect(() => new StandardWebhook(other).verify(payload, headers)).toThrow(/No matching signature/)
    expect(() => new SvixWebhook(other).verify(payload, headers)).toThrow(/No matching signature/)
  })

  it('rotation: with two secrets, each one alone verifies', () => {
    const [oldSecret, newSecret] = [generateStandardSecret('whsec'), generateStandardSecret('whsec')]
    const timestamp = fresh()
    const headers = standardWebhookHeaders({id, timestamp, payload, secrets: [oldSecret, newSecret]})
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2)
    for (const secret of [oldSecret, newSecret]) {
      expect(new StandardWebhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload))
      expect(new SvixWebhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload))
      expect(
        verifyStandardWebhook({id, timestamp, payload, signatureHeader: headers['webhook-signature'], secret}),
      ).toEqual({valid: true})
    }
  })

  it('rotation across schemes: a whsec_ and a whsk_ secret side by side', () => {
    const hmacSecret = generateStandardSecret('whsec')
    const signingKey = generateStandardSecret('whsk')
    const timestamp = fresh()
    const signatureHeader = signStandardWebhook({id, timestamp, payload, secrets: [hmacSecret, signingKey]})
    expect(signatureHeader).toMatch(/^v1,\S+ v1a,\S+$/)
    // The libraries only know v1 and skip the v1a entry.
    expect(
      new StandardWebhook(hmacSecret).verify(payload, {
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeader,
      }),
    ).toEqual(JSON.parse(payload))
    for (const secret of [hmacSecret, signingKey, standardPublicKey(signingKey)]) {
      expect(verifyStandardWebhook({id, timestamp, payload, signatureHeader, secret})).toEqual({valid: true})
    }
  })
})

describe('Standard Webhooks secrets', () => {
  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateStandardSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32)
    expect(generateStandardSecret('whsec')).not.toBe(secret)
  })

  it('generates whsk_ keys in the Svix layout (seed || public key)', () => {
    const key = generateStandardSecret('whsk')
    const bytes = Buffer.from(key.slice(5), 'base64')
    expect(bytes).toHaveLength(64)
    expect(standardPublicKey(key)).toBe(`whpk_${bytes.subarray(32).toString('base64')}`)
  })

  it('accepts a bare 32-byte seed as whsk_', () => {
    const v = vectors.ed25519_v1a[0]
    const seedOnly = `whsk_${Buffer.from(v.secretKey.slice(5), 'base64').subarray(0, 32).toString('base64')}`
    expect(signStandardWebhook({id: v.msgId, timestamp: v.timestamp, payload: v.payload, secrets: [seedOnly]})).toBe(
      v.signature,
    )
  })

  it('refuses malformed or unusable secrets with a clear error that does not echo them', () => {
    const sign = (secret: string) => () =>
      signStandardWebhook({id: 'msg_1', timestamp: 1, payload: '', secrets: [secret]})
    expect(sign('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toThrow(/must start with whsec_ \(HMAC\), whsk_ or whpk_/)
    expect(sign('whsec_')).toThrow(/non-empty base64/)
    expect(sign('whsec_not base64!')).toThrow(/non-empty base64/)
    expect(sign('whsk_AAAA')).toThrow(/32 or 64 bytes/)
    expect(sign(vectors.ed25519_v1a[0].publicKey)).toThrow(/can verify but not sign/)
    const v = vectors.ed25519_v1a[0]
    const bytes = Buffer.from(v.secretKey.slice(5), 'base64')
    bytes[63] ^= 1
    expect(sign(`whsk_${bytes.toString('base64')}`)).toThrow(/inconsistent/)
    expect(sign('whsec_not base64!')).toThrow(expect.objectContaining({code: 'CARAVAN_ERR_BAD_REQUEST'}))
    expect(sign('whsec_secretsecret!')).toThrow(/^(?![\s\S]*secretsecret)/)
  })

  it('has no public key for a symmetric secret', () => {
    expect(() => standardPublicKey(generateStandardSecret('whsec'))).toThrow(/symmetric/)
  })
})
