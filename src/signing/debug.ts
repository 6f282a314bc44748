import {CaravanError} from '../errors.js'
import {signConvoyAdvanced, signConvoySimple, verifyConvoySignature} from './convoy.js'
import {signStandardWebhook, verifyStandardWebhook} from './standard-webhooks.js'

export interface SignatureDebugOptions {
  scheme: 'convoy' | 'standard'
  secret: string
  payload: Buffer
  /** unix seconds; defaults to now */
  timestamp?: number
  id?: string
  advanced?: boolean
  hash?: 'SHA256' | 'SHA512'
  encoding?: 'hex' | 'base64'
  header?: string
}

/** The headers a Caravan relay would send for this payload (for `caravan sign`). */
export function computeSignatureHeaders(opts: SignatureDebugOptions, now = Date.now()): Record<string, string> {
  const timestamp = opts.timestamp ?? Math.floor(now / 1000)
  if (opts.scheme === 'standard') {
    if (!opts.id)
      throw new CaravanError(
        'CARAVAN_ERR_BAD_REQUEST',
        'the standard scheme signs "id.timestamp.body": pass --id (e.g. msg_123)',
      )
    return {
      'webhook-id': opts.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook({id: opts.id, timestamp, payload: opts.payload, secrets: [opts.secret]}),
    }
  }
  const header = opts.header ?? 'X-Convoy-Signature'
  const value = opts.advanced
    ? signConvoyAdvanced({
        secrets: [opts.secret],
        payload: opts.payload,
        timestamp,
        hash: opts.hash,
        encoding: opts.encoding,
      })
    : signConvoySimple({secret: opts.secret, payload: opts.payload, hash: opts.hash, encoding: opts.encoding})
  return {[header]: value}
}

/** Check a received signature value (for `caravan verify`). */
export function checkSignature(
  opts: SignatureDebugOptions & {signature: string; toleranceSeconds?: number},
  now = Date.now(),
) {
  if (opts.scheme === 'standard') {
    if (!opts.id || opts.timestamp === undefined) {
      throw new CaravanError(
        'CARAVAN_ERR_BAD_REQUEST',
        'the standard scheme needs --id and --timestamp (the webhook-id and webhook-timestamp headers)',
      )
    }
    return verifyStandardWebhook({
      id: opts.id,
      timestamp: opts.timestamp,
      payload: opts.payload,
      signatureHeader: opts.signature,
      secret: opts.secret,
      toleranceSeconds: opts.toleranceSeconds,
      now,
    })
  }
  return verifyConvoySignature({
    header: opts.signature,
    secret: opts.secret,
    payload: opts.payload,
    advanced: opts.advanced ?? opts.signature.includes('t='),
    hash: opts.hash,
    encoding: opts.encoding,
    toleranceSeconds: opts.toleranceSeconds,
    now,
  })
}
