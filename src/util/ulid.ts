import {randomBytes, randomFillSync} from 'node:crypto'

// Crockford base32, as in the ULID spec: ids sort by creation time, which makes
// cursor pagination and date windows plain index range scans.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const TIME_LEN = 10
const RANDOM_LEN = 16

let lastTime = -1
let lastRandom: number[] = []

function encodeTime(ms: number): string {
  let out = ''
  let rest = ms
  for (let i = 0; i < TIME_LEN; i++) {
    out = ALPHABET[rest % 32] + out
    rest = Math.floor(rest / 32)
  }
  return out
}

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 256 ids, not one per id. */
const pool = Buffer.alloc(4096)
let poolUsed = pool.length

function freshRandom(): number[] {
  if (poolUsed + RANDOM_LEN > pool.length) {
    randomFillSync(pool)
    poolUsed = 0
  }
  const digits = Array.from(pool.subarray(poolUsed, poolUsed + RANDOM_LEN), (b) => b % 32)
  poolUsed += RANDOM_LEN
  return digits
}

/** Increment the random part so ids made in the same millisecond still sort in order. */
function increment(digits: number[]): number[] {
  const next = [...digits]
  for (let i = next.length - 1; i >= 0; i--) {
    if (next[i] < 31) {
      next[i]++
      return next
    }
    next[i] = 0
  }
  throw new Error('ULID random part overflowed within one millisecond')
}

/** A monotonic ULID: strictly increasing within this process. */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom)
  } else {
    lastTime = now
    lastRandom = freshRandom()
  }
  return encodeTime(lastTime) + lastRandom.map((d) => ALPHABET[d]).join('')
}

/** The latest instant a ULID can hold (48 bits of milliseconds, year 10889). */
const MAX_TIME = 2 ** 48 - 1

/**
 * An instant as a ULID time, for bounds: before 1970 is the smallest, past the last the
 * largest (a date window like 1900-01-01 stays a valid, empty-or-everything bound).
 */
const boundTime = (ms: number) => encodeTime(Math.min(Math.max(Math.floor(ms), 0), MAX_TIME))

/** The smallest ULID of a millisecond: `id >= ulidFloor(t)` selects ids made at or after t. */
export function ulidFloor(ms: number): string {
  return boundTime(ms) + '0'.repeat(RANDOM_LEN)
}

/** The largest ULID of a millisecond. */
export function ulidCeil(ms: number): string {
  return boundTime(ms) + 'Z'.repeat(RANDOM_LEN)
}

export function isUlid(value: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value)
}

/** Random id in the ULID alphabet, for short public tokens like a source's mask id. */
export function randomToken(length: number): string {
  return Array.from(randomBytes(length), (b) => ALPHABET[b % 32]).join('')
}
