/** What every provider's sample builder shares: the clock, id formats and the output shape. */
import {createHash} from 'node:crypto'

export type Sample = {
  /** The provider's non-signature headers. */
  headers: Record<string, string>
  body: Buffer
  /**
   * The delivery's own id (GitHub delivery, Stripe event, Shopify webhook, Standard Webhooks
   * message); pass it as `id` to signAsProvider.
   */
  id: string
}

export type SampleContext = {ids: Ids; now: number; seconds: number; iso: string}

export type SampleDef = {description: string; build(ctx: SampleContext): Sample}

export function sampleContext(now: number, randomId: () => string): SampleContext {
  const seconds = Math.floor(now / 1000)
  return {ids: idFactory(randomId), now, seconds, iso: new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')}
}

export type Ids = ReturnType<typeof idFactory>

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** Every id format the providers use, derived from hashed `randomId()` output so any string source works. */
export function idFactory(randomId: () => string) {
  const bytes = (n: number): Buffer => {
    const chunks: Buffer[] = []
    for (let have = 0; have < n; have += 32) chunks.push(createHash('sha256').update(randomId()).digest())
    return Buffer.concat(chunks).subarray(0, n)
  }
  return {
    uuid(): string {
      const b = bytes(16)
      b[6] = (b[6] & 0x0f) | 0x40
      b[8] = (b[8] & 0x3f) | 0x80
      const h = b.toString('hex')
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
    },
    hex: (length: number): string =>
      bytes(Math.ceil(length / 2))
        .toString('hex')
        .slice(0, length),
    token: (length: number): string => Array.from(bytes(length), (b) => BASE62[b % 62]).join(''),
    /** A positive integer of `digits` digits (≤ 15, so it stays a safe JSON number). */
    number: (digits: number): number =>
      Number(Array.from(bytes(digits), (b, i) => (i === 0 ? 1 + (b % 9) : b % 10)).join('')),
  }
}

export const json = (value: unknown, pretty = false): Buffer =>
  Buffer.from(JSON.stringify(value, null, pretty ? 2 : undefined))
