/**
 * Standard Webhooks (https://www.standardwebhooks.com), the scheme Svix uses.
 *
 * Signed content is `${id}.${timestamp}.${body}`. A `whsec_` secret gives `v1,<base64
 * HMAC-SHA256>`; a `whsk_` ed25519 private key gives `v1a,<base64 signature>`, which
 * receivers check with the `whpk_` public key. The header lists one entry per secret,
 * space-separated, so secrets rotate without a gap.
 */
import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto'

import {CaravanError} from '../errors.js'
import {
  bytesEqual,
  checkTolerance,
  decodeBase64,
  DEFAULT_TOLERANCE_SECONDS,
  excerpt,
  type Payload,
  payloadBytes,
  plural,
  type VerificationResult,
} from './common.js'

export type StandardSecretKind = 'whsec' | 'whsk'

export type StandardSignOptions = {
  /** The message id; stays the same across retries and replays so receivers can dedupe. */
  id: string
  /** Unix seconds. */
  timestamp: number
  payload: Payload
  /** `whsec_` and/or `whsk_` secrets; each yields one header entry. */
  secrets: readonly string[]
}

export type StandardWebhookHeaders = {
  'webhook-id': string
  'webhook-timestamp': string
  'webhook-signature': string
}

export type StandardVerifyOptions = {
  /** The `webhook-id` header. */
  id: string
  /** The `webhook-timestamp` header, as received (or unix seconds). */
  timestamp: string | number
  payload: Payload
  /** The `webhook-signature` header. */
  signatureHeader: string
  /** `whsec_` (checks v1), `whsk_` or `whpk_` (check v1a). */
  secret: string
  toleranceSeconds?: number
  /** Clock reading in ms since the epoch (as `Date.now()`). */
  now?: number
}

type StandardKey = {version: 'v1'; hmacKey: Buffer} | {version: 'v1a'; publicKey: KeyObject; privateKey?: KeyObject}

// DER headers that turn raw ed25519 bytes into PKCS#8 / SPKI, the forms node:crypto imports.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const ED25519_KEY_BYTES = 32

function badSecret(message: string): CaravanError {
  // Never echo the secret itself: these messages end up in logs and API answers.
  return new CaravanError('CARAVAN_ERR_BAD_REQUEST', message)
}

function decodeKeyMaterial(secret: string, prefix: string): Buffer {
  const bytes = decodeBase64(secret.slice(prefix.length))
  if (bytes === undefined || bytes.length === 0) {
    throw badSecret(`a ${prefix} secret must be followed by non-empty base64`)
  }
  return bytes
}

function rawPublicKey(key: KeyObject): Buffer {
  return key.export({format: 'der', type: 'spki'}).subarray(SPKI_ED25519_PREFIX.length)
}

function importPublicKey(raw: Buffer): KeyObject {
  return createPublicKey({key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki'})
}

/**
 * `whsk_` is Svix's layout: base64(32-byte seed || 32-byte public key). A bare 32-byte seed
 * is accepted too. With both halves present they must agree, which catches a key pasted
 * together from two pairs before it signs anything.
 */
function parseStandardKey(secret: string): StandardKey {
  if (typeof secret !== 'string') throw badSecret('a Standard Webhooks secret must be a string')
  if (secret.startsWith('whsec_')) return {version: 'v1', hmacKey: decodeKeyMaterial(secret, 'whsec_')}
  if (secret.startsWith('whsk_')) {
    const bytes = decodeKeyMaterial(secret, 'whsk_')
    if (bytes.length !== ED25519_KEY_BYTES && bytes.length !== 2 * ED25519_KEY_BYTES) {
      throw badSecret(`a whsk_ key must hold 32 or 64 bytes (seed, or seed and public key), got ${bytes.length}`)
    }
    const seed = bytes.subarray(0, ED25519_KEY_BYTES)
    const der = Buffer.concat([PKCS8_ED25519_PREFIX, seed])
    const privateKey = createPrivateKey({key: der, format: 'der', type: 'pkcs8'})
    const publicKey = createPublicKey(privateKey)
    if (bytes.length === 2 * ED25519_KEY_BYTES && !rawPublicKey(publicKey).equals(bytes.subarray(ED25519_KEY_BYTES))) {
      throw badSecret('the whsk_ key is inconsistent: its public half does not belong to its seed')
    }
    return {version: 'v1a', privateKey, publicKey}
  }
  if (secret.startsWith('whpk_')) {
    const bytes = decodeKeyMaterial(secret, 'whpk_')
    if (bytes.length !== ED25519_KEY_BYTES) throw badSecret(`a whpk_ key must hold 32 bytes, got ${bytes.length}`)
    return {version: 'v1a', publicKey: importPublicKey(bytes)}
  }
  throw badSecret('a Standard Webhooks secret must start with whsec_ (HMAC), whsk_ or whpk_ (ed25519)')
}

function signedContent(id: string, timestamp: string, payload: Payload): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), payloadBytes(payload)])
}

function hmac(key: Buffer, content: Buffer): Buffer {
  return createHmac('sha256', key).update(content).digest()
}

function checkSignInput(id: string, timestamp: number): void {
  if (typeof id !== 'string' || id === '') throw badSecret('webhook-id must be a non-empty string')
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw badSecret(`webhook-timestamp must be unix seconds, got ${timestamp}`)
  }
}

/** The `webhook-signature` header value. */
export function signStandardWebhook(opts: StandardSignOptions): string {
  checkSignInput(opts.id, opts.timestamp)
  if (opts.secrets.length === 0) throw badSecret('Standard Webhooks signing needs at least one secret')
  const content = signedContent(opts.id, String(opts.timestamp), opts.payload)
  return opts.secrets
    .map((secret) => {
      const key = parseStandardKey(secret)
      if (key.version === 'v1') return `v1,${hmac(key.hmacKey, content).toString('base64')}`
      if (key.privateKey === undefined) throw badSecret('a whpk_ public key can verify but not sign; sign with whsk_')
      return `v1a,${sign(null, content, key.privateKey).toString('base64')}`
    })
    .join(' ')
}

export function standardWebhookHeaders(opts: StandardSignOptions): StandardWebhookHeaders {
  return {
    'webhook-id': opts.id,
    'webhook-timestamp': String(opts.timestamp),
    'webhook-signature': signStandardWebhook(opts),
  }
}

function parseTimestamp(value: string | number): string | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined
  const trimmed = value.trim()
  return /^\d{1,15}$/.test(trimmed) ? trimmed : undefined
}

/**
 * Any one entry made with `secret` suffices. Throws (CaravanError) only for a bad secret or
 * option, i.e. our configuration; a bad request comes back as `{valid: false, reason}`.
 */
export function verifyStandardWebhook(opts: StandardVerifyOptions): VerificationResult {
  const key = parseStandardKey(opts.secret)
  if (!opts.id) return {valid: false, reason: 'missing webhook-id'}
  const header = (opts.signatureHeader ?? '').trim()
  if (header === '') return {valid: false, reason: 'missing webhook-signature'}
  const timestamp = parseTimestamp(opts.timestamp ?? '')
  if (timestamp === undefined) {
    const shown = excerpt(String(opts.timestamp))
    return {valid: false, reason: `malformed webhook-timestamp "${shown}": expected unix seconds`}
  }

  const entries = header.split(/\s+/).map((entry) => {
    const comma = entry.indexOf(',')
    if (comma < 0) return {version: entry, signature: ''}
    return {version: entry.slice(0, comma), signature: entry.slice(comma + 1)}
  })
  const candidates = entries.filter((entry) => entry.version === key.version)
  if (candidates.length === 0) {
    const found = excerpt([...new Set(entries.map((entry) => entry.version))].join(', '))
    return {valid: false, reason: `no ${key.version} signature in webhook-signature (found: ${found})`}
  }

  const content = signedContent(opts.id, timestamp, opts.payload)
  let matched = false
  if (key.version === 'v1') {
    const expected = hmac(key.hmacKey, content)
    // No early exit, so timing does not reveal which entry matched.
    for (const {signature} of candidates) {
      const bytes = decodeBase64(signature)
      if (bytes !== undefined && bytesEqual(bytes, expected)) matched = true
    }
  } else {
    for (const {signature} of candidates) {
      const bytes = decodeBase64(signature)
      if (bytes !== undefined && bytes.length === 64 && verify(null, content, key.publicKey, bytes)) matched = true
    }
  }
  if (!matched) {
    const count = plural(candidates.length, `${key.version} signature`)
    return {valid: false, reason: `no matching signature: none of ${count} matches`}
  }

  // Checked after the signature so "outside tolerance" singles out authentic but stale
  // messages: replays, which must be re-signed with a fresh timestamp and the same id.
  return checkTolerance(Number(timestamp), opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS, opts.now)
}

/** A new secret: `whsec_` + 32 random bytes, or `whsk_` + an ed25519 seed and public key. */
export function generateStandardSecret(kind: StandardSecretKind = 'whsec'): string {
  if (kind === 'whsec') return `whsec_${randomBytes(32).toString('base64')}`
  if (kind === 'whsk') {
    const {privateKey, publicKey} = generateKeyPairSync('ed25519')
    const seed = privateKey.export({format: 'der', type: 'pkcs8'}).subarray(PKCS8_ED25519_PREFIX.length)
    return `whsk_${Buffer.concat([seed, rawPublicKey(publicKey)]).toString('base64')}`
  }
  throw badSecret(`unknown Standard Webhooks secret kind "${String(kind)}": use whsec or whsk`)
}

/** The `whpk_` public key receivers need to verify `v1a` signatures made with a `whsk_` key. */
export function standardPublicKey(secret: string): string {
  const key = parseStandardKey(secret)
  if (key.version !== 'v1a') throw badSecret('only ed25519 keys (whsk_, whpk_) have a public key; whsec_ is symmetric')
  return `whpk_${rawPublicKey(key.publicKey).toString('base64')}`
}
