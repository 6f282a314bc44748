import {timingSafeEqual} from 'node:crypto'

import {CaravanError} from '../errors.js'

/** Same window as Stripe and Standard Webhooks: long enough for clock skew, short for replays. */
export const DEFAULT_TOLERANCE_SECONDS = 300

/**
 * The outcome of checking a signature. Never thrown: a bad signature is an expected input,
 * and the reason is shown to the user (ingest answers 401 with it).
 */
export type VerificationResult = {valid: true} | {valid: false; reason: string}

/** What gets signed. A string is signed as its UTF-8 bytes; a Buffer exactly as given. */
export type Payload = Buffer | string

export function payloadBytes(payload: Payload): Buffer {
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/
// Padding optional: some senders strip it, and the decoded length check still rejects truncation.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/

/**
 * Strict decoders: Node's own decoders stop at the first bad character and return what
 * they had, so "<valid sig>garbage" would decode to the valid bytes and match.
 */
export function decodeHex(value: string): Buffer | undefined {
  return HEX.test(value) ? Buffer.from(value, 'hex') : undefined
}

export function decodeBase64(value: string): Buffer | undefined {
  return value !== '' && BASE64.test(value) ? Buffer.from(value, 'base64') : undefined
}

/** Constant-time for equal lengths; a length mismatch leaks only the length, which is public. */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}

/** Unix seconds of an injected clock reading (ms since the epoch, as `Date.now()`). */
export function unixSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000)
}

/** Both schemes reject timestamps too far in the past or the future. */
export function checkTolerance(
  timestamp: number,
  toleranceSeconds: number,
  nowMs: number = Date.now(),
): VerificationResult {
  if (!(toleranceSeconds >= 0)) {
    throw new CaravanError(
      'CARAVAN_ERR_BAD_REQUEST',
      `signature tolerance must be >= 0 seconds, got ${toleranceSeconds}`,
    )
  }
  const drift = unixSeconds(nowMs) - timestamp
  if (Math.abs(drift) <= toleranceSeconds) return {valid: true}
  const where = drift > 0 ? `${drift} s in the past` : `${-drift} s in the future`
  return {
    valid: false,
    reason: `timestamp outside tolerance: ${timestamp} is ${where} (tolerance ${toleranceSeconds} s)`,
  }
}

/** Header values are attacker-controlled; quote at most a short prefix of them in reasons. */
export function excerpt(value: string, max = 40): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
