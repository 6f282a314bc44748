import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {
  generateSecret,
  parseHashAlgorithm,
  signConvoyAdvanced,
  signConvoySimple,
  verifyConvoySignature,
} from '../../src/signing/index.js'

type ConvoyVector = {
  name: string
  description: string
  advanced: boolean
  hash: string
  encoding: 'hex' | 'base64'
  secret: string
  payload: string
  header: string
  tolerance: number
  valid: boolean
}

// A copy kept in the repo (see test/fixtures/reference/README.md), so a bare clone passes.
const vectors: ConvoyVector[] = JSON.parse(
  readFileSync(new URL('../fixtures/reference/convoy-signature-vectors.json', import.meta.url), 'utf8'),
)

// The vectors were made at t=1700000000 and meant for a wall clock; a fixed later clock keeps
// them deterministic while "expired" (tolerance 300) stays expired.
const NOW = Date.UTC(2026, 0, 1)

// Why each invalid vector must fail, so a vector failing for the wrong reason is caught.
const expectedReasons: Record<string, RegExp> = {
  advanced_tamper: /^no matching signature/,
  advanced_expired: /^timestamp outside tolerance/,
  advanced_multi_v1_none_valid: /^no matching signature: none of 2/,
  advanced_t_infinity: /^malformed signature header: t=Infinity/,
  advanced_numeric_signature: /^no matching signature/,
  advanced_missing_timestamp: /^malformed signature header: missing t=/,
  simple_tamper: /^no matching signature/,
}

describe('Convoy signature vectors', () => {
  it('covers every case in the file', () => {
    expect(vectors.length).toBe(17)
    for (const v of vectors.filter((v) => !v.valid)) expect(expectedReasons[v.name], v.name).toBeDefined()
  })

  for (const v of vectors) {
    it(`${v.name}: ${v.valid ? 'verifies' : 'is rejected'}`, () => {
      const result = verifyConvoySignature({
        header: v.header,
        secret: v.secret,
        payload: v.payload,
        advanced: v.advanced,
        hash: parseHashAlgorithm(v.hash),
        encoding: v.encoding,
        toleranceSeconds: v.tolerance,
        now: NOW,
      })
      if (v.valid) {
        expect(result).toEqual({valid: true})
      } else {
        expect(result.valid).toBe(false)
        if (!result.valid) expect(result.reason).toMatch(expectedReasons[v.name])
      }
    })

    it(`${v.name}: verifies the same with the payload as bytes`, () => {
      const result = verifyConvoySignature({
        header: v.header,
        secret: v.secret,
        payload: Buffer.from(v.payload),
        advanced: v.advanced,
        hash: parseHashAlgorithm(v.hash),
        encoding: v.encoding,
        toleranceSeconds: v.tolerance,
        now: NOW,
      })
      expect(result.valid).toBe(v.valid)
    })
  }

  // The canonical valid vectors (t first, one v1) must come out of our signer byte for byte.
  for (const v of vectors.filter((v) => v.valid && /_valid$/.test(v.name) && !v.name.includes('multi'))) {
    it(`${v.name}: signing reproduces the header`, () => {
      const hash = parseHashAlgorithm(v.hash)
      const header = v.advanced
        ? signConvoyAdvanced({
            secrets: [v.secret],
            payload: v.payload,
            timestamp: 1_700_000_000,
            hash,
            encoding: v.encoding,
          })
        : signConvoySimple({secret: v.secret, payload: v.payload, hash, encoding: v.encoding})
      expect(header).toBe(v.header)
    })
  }

  it('accepts the SHA256/SHA512 spelling directly', () => {
    const v = vectors.find((v) => v.name === 'simple_sha512_hex_valid')!
    expect(signConvoySimple({secret: v.secret, payload: v.payload, hash: 'SHA512', encoding: 'hex'})).toBe(v.header)
  })
})

describe('parseHashAlgorithm', () => {
  it('is case-insensitive', () => {
    expect(parseHashAlgorithm('SHA256')).toBe('sha256')
    expect(parseHashAlgorithm('sha512')).toBe('sha512')
    expect(parseHashAlgorithm('Sha512')).toBe('sha512')
  })

  it('names the accepted values for anything else', () => {
    expect(() => parseHashAlgorithm('md5')).toThrow(/unsupported signature hash "md5": use SHA256 or SHA512/)
    expect(() => parseHashAlgorithm('sha1')).toThrow(expect.objectContaining({code: 'CARAVAN_ERR_BAD_REQUEST'}))
  })
})

describe('Convoy advanced signatures', () => {
  const payload = '{"event":"invoice.paid","amount":42}'
  const t = 1_750_000_000
  const now = t * 1000

  it('signs one v1 per live secret, and each secret alone verifies', () => {
    const header = signConvoyAdvanced({secrets: ['old-secret', 'new-secret'], payload, timestamp: t})
    expect(header).toMatch(/^t=1750000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/)
    for (const secret of ['old-secret', 'new-secret']) {
      expect(verifyConvoySignature({header, secret, payload, advanced: true, now})).toEqual({valid: true})
    }
    expect(verifyConvoySignature({header, secret: 'other', payload, advanced: true, now}).valid).toBe(false)
  })

  it('signs "<t>," + body, not "<t>." + body', () => {
    const header = signConvoyAdvanced({secrets: ['s'], payload, timestamp: t, hash: 'sha512', encoding: 'base64'})
    const sig = header.split(',v1=')[1]
    expect(signConvoySimple({secret: 's', payload: `${t},${payload}`, hash: 'sha512', encoding: 'base64'})).toBe(sig)
  })

  it('rejects timestamps beyond the tolerance either way, and accepts the edge', () => {
    const header = signConvoyAdvanced({secrets: ['s'], payload, timestamp: t})
    const at = (offsetSeconds: number) =>
      verifyConvoySignature({
        header,
        secret: 's',
        payload,
        advanced: true,
        toleranceSeconds: 60,
        now: now + offsetSeconds * 1000,
      })
    expect(at(60)).toEqual({valid: true})
    expect(at(-60)).toEqual({valid: true})
    expect(at(61)).toEqual({
      valid: false,
      reason: 'timestamp outside tolerance: 1750000000 is 61 s in the past (tolerance 60 s)',
    })
    expect(at(-61)).toEqual({
      valid: false,
      reason: 'timestamp outside tolerance: 1750000000 is 61 s in the future (tolerance 60 s)',
    })
  })

  it('uses a 300 s tolerance by default', () => {
    const header = signConvoyAdvanced({secrets: ['s'], payload, timestamp: t})
    expect(verifyConvoySignature({header, secret: 's', payload, advanced: true, now: now + 300_000}).valid).toBe(true)
    expect(verifyConvoySignature({header, secret: 's', payload, advanced: true, now: now + 301_000}).valid).toBe(false)
  })

  it('signs the bytes given, never a re-encoding of them', () => {
    const body = Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]) // not valid UTF-8
    const header = signConvoyAdvanced({secrets: ['s'], payload: body, timestamp: t})
    expect(verifyConvoySignature({header, secret: 's', payload: body, advanced: true, now}).valid).toBe(true)
    expect(
      verifyConvoySignature({header, secret: 's', payload: body.toString('utf8'), advanced: true, now}).valid,
    ).toBe(false)
  })

  it('explains malformed headers', () => {
    const verify = (header: string) => verifyConvoySignature({header, secret: 's', payload, advanced: true, now})
    expect(verify('')).toEqual({valid: false, reason: 'malformed signature header: empty'})
    expect(verify('t=1,t=2,v1=00')).toEqual({valid: false, reason: 'malformed signature header: more than one t='})
    expect(verify(`t=${t}`)).toEqual({valid: false, reason: 'malformed signature header: no v1= signature'})
    expect(verify(`t=${t},,`)).toEqual({valid: false, reason: 'malformed signature header: no v1= signature'})
    expect(verify(`t=1e9,v1=00`)).toMatchObject({reason: /t=1e9 is not a unix timestamp/})
    expect(verify(`t=-5,v1=00`)).toMatchObject({reason: /t=-5 is not a unix timestamp/})
    const simple = signConvoySimple({secret: 's', payload})
    expect(verify(simple)).toMatchObject({valid: false, reason: /not key=value.*simple signatures/})
  })

  it('does not accept a valid signature with trailing junk', () => {
    const header = signConvoyAdvanced({secrets: ['s'], payload, timestamp: t})
    expect(verifyConvoySignature({header: `${header}zz`, secret: 's', payload, advanced: true, now}).valid).toBe(false)
  })

  it('refuses to sign without secrets or with a bad timestamp', () => {
    expect(() => signConvoyAdvanced({secrets: [], payload, timestamp: t})).toThrow(/at least one secret/)
    expect(() => signConvoyAdvanced({secrets: [''], payload, timestamp: t})).toThrow(/non-empty/)
    expect(() => signConvoyAdvanced({secrets: ['s'], payload, timestamp: 1.5})).toThrow(/unix seconds/)
    expect(() => signConvoyAdvanced({secrets: ['s'], payload, timestamp: Date.now()})).not.toThrow()
  })
})

describe('Convoy simple signatures', () => {
  const payload = 'a=1&b=2'

  it('round-trips for every hash and encoding', () => {
    for (const hash of ['sha256', 'sha512'] as const) {
      for (const encoding of ['hex', 'base64'] as const) {
        const header = signConvoySimple({secret: 'k', payload, hash, encoding})
        expect(verifyConvoySignature({header, secret: 'k', payload, advanced: false, hash, encoding})).toEqual({
          valid: true,
        })
      }
    }
  })

  it('defaults to SHA256 hex', () => {
    expect(signConvoySimple({secret: 'k', payload})).toMatch(/^[0-9a-f]{64}$/)
  })

  it('accepts upper-case hex and unpadded base64 from senders', () => {
    const hex = signConvoySimple({secret: 'k', payload})
    expect(verifyConvoySignature({header: hex.toUpperCase(), secret: 'k', payload, advanced: false}).valid).toBe(true)
    const b64 = signConvoySimple({secret: 'k', payload, encoding: 'base64'})
    expect(b64.endsWith('=')).toBe(true)
    const unpadded = b64.replace(/=+$/, '')
    expect(
      verifyConvoySignature({header: unpadded, secret: 'k', payload, advanced: false, encoding: 'base64'}).valid,
    ).toBe(true)
  })

  it('names the scheme it checked, and hints at an advanced header', () => {
    const advanced = signConvoyAdvanced({secrets: ['k'], payload, timestamp: 1_700_000_000})
    expect(verifyConvoySignature({header: advanced, secret: 'k', payload, advanced: false})).toEqual({
      valid: false,
      reason: 'no matching signature (SHA256, hex) (header looks like an advanced t=…,v1=… signature)',
    })
  })
})

describe('generateSecret', () => {
  it('makes distinct 256-bit secrets that need no quoting', () => {
    const a = generateSecret()
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(generateSecret()).not.toBe(a)
  })
})

describe('Convoy advanced header parsing', () => {
  it('tolerates spaces and a trailing comma around valid parts', () => {
    const payload = '{}'
    const header = signConvoyAdvanced({secrets: ['s'], payload, timestamp: 1_700_000_000})
    const spaced = `${header.replaceAll(',', ', ')},`
    expect(
      verifyConvoySignature({header: spaced, secret: 's', payload, advanced: true, now: 1_700_000_000_000}),
    ).toEqual({
      valid: true,
    })
  })
})
