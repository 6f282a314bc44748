/**
 * Inbound request verification: Convoy's source verifiers (noop, hmac, basic_auth, api_key)
 * plus the schemes of the providers developers most often point at a tunnel. A pure function
 * of the config, the raw request and a clock reading; it never throws, because a failed check
 * is still recorded and shown, so the reason must always come back as data.
 */
import {createHash, createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify} from 'node:crypto'

export type ProviderVerifierType = 'github' | 'stripe' | 'shopify' | 'standard-webhooks'

export type VerifierConfig =
  | {type: 'noop'}
  | {
      type: 'hmac'
      hmac: {header: string; hash: 'SHA256' | 'SHA512'; encoding: 'hex' | 'base64'; secret: string}
    }
  | {type: 'basic_auth'; basic_auth: {username: string; password: string}}
  | {type: 'api_key'; api_key: {header_name: string; header_value: string}}
  | {
      type: ProviderVerifierType
      secret: string
      /**
       * Maximum age in seconds of a timestamped signature (Stripe, Standard Webhooks); default
       * 300. Zero or less turns the check off, as in Stripe's own libraries, so an old captured
       * request can still be verified by hand.
       */
      toleranceSeconds?: number
    }

/** Header names are matched case-insensitively; node gives them lower-case. */
export type InboundHeaders = Readonly<Record<string, string | string[] | undefined>>

export type InboundRequest = {headers: InboundHeaders; body: Buffer; now: number}

export type VerifyResult = {ok: true} | {ok: false; reason: string}

export const DEFAULT_TOLERANCE_SECONDS = 300

const OK: VerifyResult = Object.freeze({ok: true})
const fail = (reason: string): VerifyResult => ({ok: false, reason})

export function verifyInbound(config: VerifierConfig, req: InboundRequest): VerifyResult {
  switch (config.type) {
    case 'noop':
      return OK
    // Configs come from the store or the API, so a missing settings block is possible at runtime.
    case 'hmac':
      return config.hmac ? verifyHmac(config.hmac, req) : fail('hmac verifier has no hmac settings')
    case 'basic_auth':
      return config.basic_auth
        ? verifyBasicAuth(config.basic_auth, req)
        : fail('basic_auth verifier has no basic_auth settings')
    case 'api_key':
      return config.api_key ? verifyApiKey(config.api_key, req) : fail('api_key verifier has no api_key settings')
    case 'github':
    case 'stripe':
    case 'shopify':
    case 'standard-webhooks': {
      if (!config.secret) return fail(`no secret configured for the ${config.type} verifier`)
      const tolerance = config.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS
      if (config.type === 'github') return verifyGitHub(config.secret, req)
      if (config.type === 'stripe') return verifyStripe(config.secret, tolerance, req)
      if (config.type === 'shopify') return verifyShopify(config.secret, req)
      return verifyStandardWebhooks(config.secret, tolerance, req)
    }
    default:
      return fail(`unknown verifier type "${(config as {type: unknown}).type}"`)
  }
}

/** Case-insensitive header lookup; a repeated header yields its first value. */
export function getHeader(headers: InboundHeaders, name: string): string | undefined {
  const lower = name.toLowerCase()
  let value = Object.hasOwn(headers, lower) ? headers[lower] : undefined
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === lower) {
        value = headers[key]
        break
      }
    }
  }
  return Array.isArray(value) ? value[0] : value
}

function hmac(algorithm: 'sha256' | 'sha512', key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac(algorithm, key)
  for (const part of parts) mac.update(part)
  return mac.digest()
}

const HEX = /^(?:[0-9a-f]{2})+$/i
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

/** Decodes a signature strictly: Buffer.from silently drops bad characters, which could hide a typo. */
function decodeSignature(value: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  const trimmed = value.trim()
  if (encoding === 'hex') return HEX.test(trimmed) ? Buffer.from(trimmed, 'hex') : undefined
  return BASE64.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined
}

/** The expected MAC's length is public, so an early length check leaks nothing. */
function sameBytes(a: Buffer | undefined, b: Buffer): boolean {
  return a !== undefined && a.length === b.length && timingSafeEqual(a, b)
}

/** For secrets compared as text: hashing first makes the comparison constant-time in their length too. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()
  return timingSafeEqual(digest(a), digest(b))
}

// Providers and proxies label the algorithm in the value (GitHub's `sha256=`); Convoy's own
// hmac sources expect the bare digest. Accept both.
const ALGORITHM_PREFIX = /^(?:sha-?\d+|v\d+)=(?=.)/i

function verifyHmac(config: Extract<VerifierConfig, {type: 'hmac'}>['hmac'], req: InboundRequest): VerifyResult {
  const value = getHeader(req.headers, config.header)
  if (!value) return fail(`missing ${config.header} header`)
  const given = decodeSignature(value.replace(ALGORITHM_PREFIX, ''), config.encoding)
  if (!given) return fail(`malformed ${config.header} header (expected ${config.encoding} ${config.hash} HMAC)`)
  const algorithm = String(config.hash).toUpperCase() === 'SHA512' ? 'sha512' : 'sha256'
  const expected = hmac(algorithm, config.secret, req.body)
  return sameBytes(given, expected) ? OK : fail(`signature mismatch (${config.header})`)
}

function verifyBasicAuth(
  config: Extract<VerifierConfig, {type: 'basic_auth'}>['basic_auth'],
  req: InboundRequest,
): VerifyResult {
  const value = getHeader(req.headers, 'authorization')
  if (!value) return fail('missing Authorization header')
  const match = /^basic\s+(\S+)\s*$/i.exec(value)
  if (!match) return fail('Authorization header is not Basic auth')
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  // Passwords may contain ':', user names may not (RFC 7617).
  const colon = decoded.indexOf(':')
  const username = colon < 0 ? decoded : decoded.slice(0, colon)
  const password = colon < 0 ? '' : decoded.slice(colon + 1)
  // Non-short-circuit `&` so a wrong user name takes as long as a wrong password.
  const valid = Number(sameSecret(username, config.username)) & Number(sameSecret(password, config.password))
  return valid ? OK : fail('invalid basic auth credentials')
}

function verifyApiKey(
  config: Extract<VerifierConfig, {type: 'api_key'}>['api_key'],
  req: InboundRequest,
): VerifyResult {
  const value = getHeader(req.headers, config.header_name)
  if (value === undefined) return fail(`missing ${config.header_name} header`)
  return sameSecret(value, config.header_value) ? OK : fail(`invalid API key in ${config.header_name} header`)
}

// GitHub still sends the SHA-1 `X-Hub-Signature` too; only the SHA-256 one is checked, as
// GitHub recommends, so a downgrade to SHA-1 is never accepted.
function verifyGitHub(secret: string, req: InboundRequest): VerifyResult {
  const name = 'X-Hub-Signature-256'
  const value = getHeader(req.headers, name)
  if (!value) return fail(`missing ${name} header`)
  const match = /^sha256=(.*)$/.exec(value.trim())
  const given = match ? decodeSignature(match[1], 'hex') : undefined
  if (!given) return fail(`malformed ${name} header (expected sha256=<hex>)`)
  return sameBytes(given, hmac('sha256', secret, req.body)) ? OK : fail(`signature mismatch (${name})`)
}

// Shopify sends `X-Shopify-Hmac-Sha256`; its event-bridge style deliveries use the unprefixed
// `Shopify-Hmac-Sha256`, which @shopify/shopify-api reads first. Every variant present must verify,
// so a forged value cannot ride along in the header an app happens to read.
const SHOPIFY_HMAC_HEADERS = ['Shopify-Hmac-Sha256', 'X-Shopify-Hmac-Sha256']

function verifyShopify(secret: string, req: InboundRequest): VerifyResult {
  const present = SHOPIFY_HMAC_HEADERS.filter((name) => getHeader(req.headers, name) !== undefined)
  if (present.length === 0) return fail(`missing ${SHOPIFY_HMAC_HEADERS[1]} header`)
  const expected = hmac('sha256', secret, req.body)
  for (const name of present) {
    const given = decodeSignature(getHeader(req.headers, name)!, 'base64')
    if (!given) return fail(`malformed ${name} header (expected base64 HMAC-SHA256)`)
    if (!sameBytes(given, expected)) return fail(`signature mismatch (${name})`)
  }
  return OK
}

/** Parses `t=<unix>,v1=<hex>[,v1=...][,v0=...]`; unknown keys are ignored, as Stripe's libraries do. */
export function parseStripeSignature(value: string): {timestamp?: string; v1: string[]} {
  let timestamp: string | undefined
  const v1: string[] = []
  for (const item of value.split(',')) {
    const eq = item.indexOf('=')
    if (eq < 0) continue
    const key = item.slice(0, eq).trim()
    const val = item.slice(eq + 1).trim()
    if (key === 't' && timestamp === undefined) timestamp = val
    else if (key === 'v1') v1.push(val)
  }
  return {timestamp, v1}
}

/**
 * Stripe signs `"<t>." + body` with the whole `whsec_...` string as the key (unlike Standard
 * Webhooks, which base64-decodes it). Like Stripe's libraries, only age is limited: a
 * timestamp from the future is accepted, and the signature is checked before the age so a
 * stale-but-genuine replay is reported as stale, not as forged.
 */
function verifyStripe(secret: string, tolerance: number, req: InboundRequest): VerifyResult {
  const name = 'Stripe-Signature'
  const value = getHeader(req.headers, name)
  if (!value) return fail(`missing ${name} header`)
  const {timestamp, v1} = parseStripeSignature(value)
  if (timestamp === undefined) return fail(`malformed ${name} header (no t= timestamp)`)
  if (!/^\d+$/.test(timestamp)) return fail(`invalid ${name} timestamp "${timestamp}"`)
  if (v1.length === 0) return fail(`malformed ${name} header (no v1= signature)`)
  const expected = hmac('sha256', secret, `${timestamp}.`, req.body)
  // Every entry is compared, not just until the first match, so timing says nothing about which one matched.
  const matched = v1.map((sig) => sameBytes(decodeSignature(sig, 'hex'), expected)).includes(true)
  if (!matched) return fail(`signature mismatch (${name})`)
  return checkAge(`${name} timestamp`, timestamp, tolerance, req.now, false)
}

/** `label` names the timestamp in the reason, e.g. `Stripe-Signature timestamp`. */
function checkAge(
  label: string,
  timestamp: string,
  tolerance: number,
  now: number,
  rejectFuture: boolean,
): VerifyResult {
  if (tolerance <= 0) return OK
  const age = Math.floor(now / 1000) - Number(timestamp)
  if (age > tolerance) return fail(`${label} ${timestamp} is ${age} s old (tolerance ${tolerance} s)`)
  if (rejectFuture && -age > tolerance) {
    return fail(`${label} ${timestamp} is ${-age} s in the future (tolerance ${tolerance} s)`)
  }
  return OK
}

/** The HMAC key of a Standard Webhooks secret: `whsec_<base64>`, or the bare base64. */
export function standardWebhooksKey(secret: string): Buffer | undefined {
  // Asymmetric keys are never HMAC keys, though their base64 would decode.
  if (secret.startsWith('whpk_') || secret.startsWith('whsk_')) return undefined
  const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret
  const key = decodeSignature(encoded, 'base64')
  return key && key.length > 0 ? key : undefined
}

// DER prefix of an ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** The ed25519 public key of a Standard Webhooks `whpk_<base64>` key (v1a signatures). */
export function ed25519PublicKey(secret: string): KeyObject | undefined {
  if (!secret.startsWith('whpk_')) return undefined
  const raw = decodeSignature(secret.slice('whpk_'.length), 'base64')
  if (!raw || raw.length !== 32) return undefined
  try {
    return createPublicKey({key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki'})
  } catch {
    return undefined
  }
}

/**
 * Standard Webhooks, and Svix which sends the same scheme under `svix-*` names. Signed content
 * is `id.timestamp.` + the body bytes as received (not re-encoded text, so binary bodies verify).
 * A `whsec_` secret checks `v1,` (HMAC-SHA256) entries; a `whpk_` public key checks `v1a,`
 * (ed25519) entries. Entries of the other version are skipped: a sender may list several.
 */
function verifyStandardWebhooks(secret: string, tolerance: number, req: InboundRequest): VerifyResult {
  const publicKey = ed25519PublicKey(secret)
  const key = publicKey ? undefined : standardWebhooksKey(secret)
  if (!publicKey && !key) return fail('invalid standard-webhooks secret (expected whsec_<base64>)')
  const prefix =
    getHeader(req.headers, 'webhook-id') === undefined && getHeader(req.headers, 'svix-id') !== undefined
      ? 'svix'
      : 'webhook'
  const names = {id: `${prefix}-id`, timestamp: `${prefix}-timestamp`, signature: `${prefix}-signature`}
  const id = getHeader(req.headers, names.id)
  const timestamp = getHeader(req.headers, names.timestamp)
  const signature = getHeader(req.headers, names.signature)
  if (!id) return fail(`missing ${names.id} header`)
  if (!timestamp) return fail(`missing ${names.timestamp} header`)
  if (!signature) return fail(`missing ${names.signature} header`)
  if (!/^\d+$/.test(timestamp)) return fail(`invalid ${names.timestamp} "${timestamp}"`)
  const version = publicKey ? 'v1a' : 'v1'
  const given = signature
    .split(/\s+/)
    .filter((entry) => entry.startsWith(`${version},`))
    .map((entry) => decodeSignature(entry.slice(version.length + 1), 'base64'))
  if (given.length === 0) return fail(`${names.signature} header has no ${version} signature`)
  const content = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), req.body])
  let matched: boolean
  if (publicKey) {
    matched = given
      .map((sig) => sig !== undefined && sig.length === 64 && verify(null, content, publicKey, sig))
      .includes(true)
  } else {
    const expected = hmac('sha256', key!, content)
    matched = given.map((sig) => sameBytes(sig, expected)).includes(true)
  }
  if (!matched) return fail(`signature mismatch (${names.signature})`)
  return checkAge(names.timestamp, timestamp, tolerance, req.now, true)
}
