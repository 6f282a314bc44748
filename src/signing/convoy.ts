/**
 * Convoy-style `X-Convoy-Signature` values.
 *
 * Simple: the header is `hex|base64(HMAC(secret, body))`.
 * Advanced: `t=<unix>,v1=<sig>[,v1=<sig>...]`, each sig over `"<t>," + body`, one per live
 * secret so receivers keep verifying while a secret is rotated.
 *
 * The body is signed as the exact bytes sent; callers never pass a re-serialised object.
 */
import {createHmac, randomBytes} from 'node:crypto'

import {CaravanError} from '../errors.js'
import {
  bytesEqual,
  checkTolerance,
  decodeBase64,
  decodeHex,
  DEFAULT_TOLERANCE_SECONDS,
  excerpt,
  type Payload,
  payloadBytes,
  plural,
  type VerificationResult,
} from './common.js'

export type HashAlgorithm = 'sha256' | 'sha512'
/** Convoy's API and config spell these `SHA256`/`SHA512`; both spellings are taken as is. */
export type HashName = HashAlgorithm | 'SHA256' | 'SHA512'
export type SignatureEncoding = 'hex' | 'base64'

export const DEFAULT_HASH: HashAlgorithm = 'sha256'
export const DEFAULT_ENCODING: SignatureEncoding = 'hex'

/** Parse a user- or API-supplied hash name, case-insensitively. */
export function parseHashAlgorithm(value: string): HashAlgorithm {
  const lower = value.trim().toLowerCase()
  if (lower === 'sha256' || lower === 'sha512') return lower
  throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', `unsupported signature hash "${value}": use SHA256 or SHA512`)
}

export function parseSignatureEncoding(value: string): SignatureEncoding {
  const lower = value.trim().toLowerCase()
  if (lower === 'hex' || lower === 'base64') return lower
  throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', `unsupported signature encoding "${value}": use hex or base64`)
}

export type ConvoySimpleSignOptions = {
  secret: string
  payload: Payload
  hash?: HashName
  encoding?: SignatureEncoding
}

export type ConvoyAdvancedSignOptions = {
  /** Every live secret, newest first by convention; each yields one `v1=`. */
  secrets: readonly string[]
  payload: Payload
  /** Unix seconds. Passed in rather than read from a clock so signing stays pure. */
  timestamp: number
  hash?: HashName
  encoding?: SignatureEncoding
}

export type ConvoyVerifyOptions = {
  header: string
  secret: string
  payload: Payload
  advanced: boolean
  hash?: HashName
  encoding?: SignatureEncoding
  /** Advanced mode only: how far `t` may be from `now`, either way. Default 300. */
  toleranceSeconds?: number
  /** Clock reading in ms since the epoch (as `Date.now()`). */
  now?: number
}

type Scheme = {hash: HashAlgorithm; encoding: SignatureEncoding}

function scheme(hash: HashName | undefined, encoding: SignatureEncoding | undefined): Scheme {
  return {
    hash: parseHashAlgorithm(hash ?? DEFAULT_HASH),
    encoding: parseSignatureEncoding(encoding ?? DEFAULT_ENCODING),
  }
}

function checkSecret(secret: string): void {
  // An empty HMAC key still produces a MAC, one anybody can compute: refuse it loudly.
  if (typeof secret !== 'string' || secret === '') {
    throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', 'signature secret must be a non-empty string')
  }
}

function mac(secret: string, hash: HashAlgorithm, prefix: string, payload: Payload): Buffer {
  checkSecret(secret)
  const hmac = createHmac(hash, secret)
  if (prefix !== '') hmac.update(prefix)
  return hmac.update(payloadBytes(payload)).digest()
}

function decode(value: string, encoding: SignatureEncoding): Buffer | undefined {
  return encoding === 'hex' ? decodeHex(value) : decodeBase64(value)
}

function describe({hash, encoding}: Scheme): string {
  return `${hash.toUpperCase()}, ${encoding}`
}

export function signConvoySimple(opts: ConvoySimpleSignOptions): string {
  const {hash, encoding} = scheme(opts.hash, opts.encoding)
  return mac(opts.secret, hash, '', opts.payload).toString(encoding)
}

export function signConvoyAdvanced(opts: ConvoyAdvancedSignOptions): string {
  const {hash, encoding} = scheme(opts.hash, opts.encoding)
  const {timestamp, secrets} = opts
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', `signature timestamp must be unix seconds, got ${timestamp}`)
  }
  if (secrets.length === 0) {
    throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', 'advanced signatures need at least one secret')
  }
  const prefix = `${timestamp},`
  const parts = secrets.map((secret) => `v1=${mac(secret, hash, prefix, opts.payload).toString(encoding)}`)
  return [`t=${timestamp}`, ...parts].join(',')
}

type AdvancedHeader = {timestamp: string; signatures: string[]}

/**
 * Key-based parse: `t` may come anywhere, unknown keys (a future `v2`) are skipped, and a
 * value is never taken for the timestamp because of its position or its shape.
 */
function parseAdvancedHeader(header: string): AdvancedHeader | string {
  let timestamp: string | undefined
  const signatures: string[] = []
  for (const rawPart of header.split(',')) {
    const part = rawPart.trim()
    if (part === '') continue // a stray or trailing comma says nothing
    const eq = part.indexOf('=')
    if (eq <= 0) {
      return (
        `malformed signature header: "${excerpt(part)}" is not key=value ` +
        '(expected t=<unix>,v1=<signature>; is the sender using simple signatures?)'
      )
    }
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === 't') {
      if (timestamp !== undefined) return 'malformed signature header: more than one t='
      timestamp = value
    } else if (key === 'v1') {
      signatures.push(value)
    }
  }
  if (timestamp === undefined) return 'malformed signature header: missing t=<unix timestamp>'
  // Digits only: rejects Infinity, 1e9, -5, 0x10 and anything Number() would happily accept.
  if (!/^\d{1,15}$/.test(timestamp)) {
    return `malformed signature header: t=${excerpt(timestamp)} is not a unix timestamp in seconds`
  }
  if (signatures.length === 0) return 'malformed signature header: no v1= signature'
  return {timestamp, signatures}
}

function matchesAny(candidates: readonly string[], expected: Buffer, encoding: SignatureEncoding): boolean {
  let matched = false
  // No early exit, so the time taken does not tell which candidate matched.
  for (const candidate of candidates) {
    const bytes = decode(candidate, encoding)
    if (bytes !== undefined && bytesEqual(bytes, expected)) matched = true
  }
  return matched
}

/**
 * Throws (CaravanError) only for a bad secret or option, i.e. our configuration; anything
 * wrong with the request itself comes back as `{valid: false, reason}`.
 */
export function verifyConvoySignature(opts: ConvoyVerifyOptions): VerificationResult {
  const s = scheme(opts.hash, opts.encoding)
  checkSecret(opts.secret)
  const header = (opts.header ?? '').trim()
  if (header === '') return {valid: false, reason: 'malformed signature header: empty'}

  if (!opts.advanced) {
    const expected = mac(opts.secret, s.hash, '', opts.payload)
    if (matchesAny([header], expected, s.encoding)) return {valid: true}
    const hint = /^(?:t|v1)=/.test(header) ? ' (header looks like an advanced t=…,v1=… signature)' : ''
    return {valid: false, reason: `no matching signature (${describe(s)})${hint}`}
  }

  const parsed = parseAdvancedHeader(header)
  if (typeof parsed === 'string') return {valid: false, reason: parsed}

  // Signature before timestamp: "outside tolerance" then means an authentic but stale
  // request (a replay), which is the case worth telling apart.
  const expected = mac(opts.secret, s.hash, `${parsed.timestamp},`, opts.payload)
  if (!matchesAny(parsed.signatures, expected, s.encoding)) {
    const count = plural(parsed.signatures.length, 'v1 signature')
    return {valid: false, reason: `no matching signature: none of ${count} matches (${describe(s)})`}
  }

  return checkTolerance(Number(parsed.timestamp), opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, opts.now)
}

/**
 * A new endpoint secret for Convoy-style signing: 256 random bits, as strong as HMAC-SHA256
 * gets. Hex rather than base64url because a secret starting with `-` would be read as a flag
 * in `--secret <value>`, and `+/=` need quoting in shells and URLs.
 */
export function generateSecret(): string {
  return randomBytes(32).toString('hex')
}
