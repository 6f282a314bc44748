/**
 * Signs a body the way a provider would, for `caravan trigger` and for replays: timestamped
 * schemes (Stripe, Standard Webhooks) go stale after five minutes, so a replay to an app that
 * checks them must carry a fresh signature. Deliberately independent of src/signing/, which
 * implements *our* outgoing schemes; these are the providers' and must match them exactly.
 */
import {createHmac, randomBytes} from 'node:crypto'

import {CaravanError} from '../errors.js'
import type {ProviderName} from './providers.js'
import {standardWebhooksKey} from './verifier.js'

export type SignOptions = {
  /** Clock reading in ms; timestamped schemes use it in whole seconds. */
  now: number
  /** Standard Webhooks message id; a fresh `msg_...` when omitted. Other providers ignore it. */
  id?: string
}

/** The signature headers a provider would send with `body`, in the provider's own casing. */
export function signAsProvider(
  provider: ProviderName,
  secret: string,
  body: Buffer,
  opts: SignOptions,
): Record<string, string> {
  const seconds = String(Math.floor(opts.now / 1000))
  switch (provider) {
    case 'github':
      return {
        'X-Hub-Signature-256': `sha256=${hmacHex('sha256', secret, body)}`,
        // GitHub still sends the legacy SHA-1 header, and older receivers check only it.
        'X-Hub-Signature': `sha1=${hmacHex('sha1', secret, body)}`,
      }
    case 'stripe': {
      const v1 = createHmac('sha256', secret).update(`${seconds}.`).update(body).digest('hex')
      return {'Stripe-Signature': `t=${seconds},v1=${v1}`}
    }
    case 'shopify':
      return {'X-Shopify-Hmac-Sha256': createHmac('sha256', secret).update(body).digest('base64')}
    case 'standard-webhooks': {
      const id = opts.id ?? newMessageId()
      return {
        'webhook-id': id,
        'webhook-timestamp': seconds,
        'webhook-signature': `v1,${signStandardWebhook(secret, id, seconds, body)}`,
      }
    }
    default:
      throw new Error(`cannot sign as unknown provider "${provider as string}"`)
  }
}

/**
 * Whether Caravan can sign as `provider` with `secret`. A Standard Webhooks `whpk_` key is the
 * sender's public key: it verifies v1a signatures but cannot make them.
 */
export function canResign(provider: ProviderName, secret: string): boolean {
  return provider !== 'standard-webhooks' || standardWebhooksKey(secret) !== undefined
}

/**
 * A header name reduced to what identifies it across spellings: case, an `X-` prefix
 * (Shopify sends both `X-Shopify-Hmac-Sha256` and `Shopify-Hmac-Sha256`) and Svix's names
 * for the Standard Webhooks headers.
 */
function variantOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/^x-/, '')
    .replace(/^svix-/, 'webhook-')
}

/**
 * `headers` with the provider's signature (and timestamp) replaced by fresh ones for `now`,
 * keeping everything else, including each header's original casing. Every variant of a
 * signature header present (another casing, with or without `X-`, Svix's name) gets the fresh
 * value, so no stale signature is left for an app that reads another variant. A Standard
 * Webhooks or Svix message keeps its id, because receivers deduplicate on it. With a key that
 * cannot sign (a `whpk_` public key) the headers come back unchanged.
 */
export function resignHeaders<V extends string | string[] | undefined>(
  provider: ProviderName,
  secret: string,
  headers: Readonly<Record<string, V>>,
  body: Buffer,
  now: number,
): Record<string, V | string> {
  const out: Record<string, V | string> = {...headers}
  if (!canResign(provider, secret)) return out
  let fresh: Record<string, string>
  if (provider === 'standard-webhooks') {
    const svix = findKey(headers, 'webhook-id') === undefined && findKey(headers, 'svix-id') !== undefined
    const idKey = findKey(headers, svix ? 'svix-id' : 'webhook-id')
    const existing: string | string[] | undefined = idKey === undefined ? undefined : headers[idKey]
    const id = (Array.isArray(existing) ? existing[0] : existing) || undefined
    fresh = signAsProvider(provider, secret, body, {now, id})
    if (svix) {
      const renamed = Object.entries(fresh).map(([name, value]) => [name.replace(/^webhook-/, 'svix-'), value])
      fresh = Object.fromEntries(renamed)
    }
  } else {
    fresh = signAsProvider(provider, secret, body, {now})
  }
  for (const [name, value] of Object.entries(fresh)) {
    const variants = Object.keys(out).filter((key) => variantOf(key) === variantOf(name))
    for (const key of variants) out[key] = value
    if (variants.length === 0) out[name] = value
  }
  return out
}

/** Base64 HMAC-SHA256 of `id.timestamp.body` with a `whsec_` (or bare base64) secret. */
export function signStandardWebhook(secret: string, id: string, timestamp: string, body: Buffer): string {
  if (secret.startsWith('whpk_'))
    throw new CaravanError(
      'CARAVAN_ERR_CONFIG',
      'the source holds a Standard Webhooks public key (whpk_…): it verifies v1a signatures but cannot make them; signing needs the whsec_ secret',
    )
  const key = standardWebhooksKey(secret)
  if (!key) throw new Error('invalid standard-webhooks secret (expected whsec_<base64>)')
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')
}

function hmacHex(algorithm: 'sha1' | 'sha256', secret: string, body: Buffer): string {
  return createHmac(algorithm, secret).update(body).digest('hex')
}

function findKey(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const lower = name.toLowerCase()
  return Object.keys(headers).find((key) => key.toLowerCase() === lower)
}

// Svix ids look like `msg_` + 27 base62 characters (a KSUID); any unique token serves, this keeps the look.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

function newMessageId(): string {
  return `msg_${Array.from(randomBytes(27), (b) => BASE62[b % 62]).join('')}`
}
