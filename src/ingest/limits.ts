/**
 * How much of the relay unauthenticated ingest traffic may hold at once. Request bodies are
 * buffered until they are verified and stored, so without bounds a few slow senders of large
 * bodies pin hundreds of MB: in-progress bodies and their buffered bytes are capped per source
 * and in total, and a body that stops arriving is dropped long before Node's own 300 s timeout.
 */
import {DEFAULT_UNVERIFIED_LIMITS, type UnverifiedLimits} from './unverified.js'

export interface IngestLimits {
  /** Bodies being received at once, over all sources. */
  maxBodies: number
  maxBodiesPerSource: number
  /** Body bytes buffered at once, over all sources. */
  maxBufferedBytes: number
  maxBufferedBytesPerSource: number
  /** No body bytes for this long: 408. */
  idleTimeoutMs: number
  /** The whole body must arrive within this: 408. */
  bodyTimeoutMs: number
  /** After an early answer (413, 429, 503), this much of the rest is read and dropped so the client sees the answer. */
  drainBytes: number
  /** Seconds a sender turned away for load is told to wait. */
  retryAfterSeconds: number
  unverified: UnverifiedLimits
}

const MiB = 1024 * 1024

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxBodies: 64,
  maxBodiesPerSource: 16,
  maxBufferedBytes: 64 * MiB,
  maxBufferedBytesPerSource: 32 * MiB,
  idleTimeoutMs: 30_000,
  bodyTimeoutMs: 60_000,
  drainBytes: 16 * MiB,
  retryAfterSeconds: 5,
  unverified: DEFAULT_UNVERIFIED_LIMITS,
}

export function ingestLimits(overrides: Partial<IngestLimits> = {}): IngestLimits {
  return {
    ...DEFAULT_INGEST_LIMITS,
    ...overrides,
    unverified: {...DEFAULT_INGEST_LIMITS.unverified, ...overrides.unverified},
  }
}

/** Why a body was turned away for load: 429 when one source is over its share, 503 when the relay is. */
export interface Overload {
  status: 429 | 503
  message: string
}

type Usage = {bodies: number; bytes: number}

/** One body's claim on the budget; released exactly once. */
export interface BodyTicket {
  /** Claim `n` more bytes; an Overload when that would pass a cap (nothing is claimed then). */
  grow(n: number): Overload | undefined
  release(): void
}

/** Counts in-progress ingest bodies and their buffered bytes, per source and in total. */
export class IngestBudget {
  private readonly total: Usage = {bodies: 0, bytes: 0}
  private readonly sources = new Map<string, Usage>()

  constructor(private readonly limits: IngestLimits) {}

  get usage(): Readonly<Usage> {
    return {...this.total}
  }

  admit(sourceId: string): BodyTicket | Overload {
    const source = this.sources.get(sourceId) ?? {bodies: 0, bytes: 0}
    if (source.bodies >= this.limits.maxBodiesPerSource)
      return {status: 429, message: `too many requests in progress for this source (${source.bodies})`}
    if (this.total.bodies >= this.limits.maxBodies)
      return {status: 503, message: `the relay is receiving too many requests (${this.total.bodies})`}
    source.bodies++
    this.total.bodies++
    this.sources.set(sourceId, source)
    let claimed = 0
    let released = false
    return {
      grow: (n) => {
        if (source.bytes + n > this.limits.maxBufferedBytesPerSource)
          return {status: 429, message: 'too many request bytes in progress for this source'}
        if (this.total.bytes + n > this.limits.maxBufferedBytes)
          return {status: 503, message: 'the relay is receiving too many request bytes'}
        source.bytes += n
        this.total.bytes += n
        claimed += n
        return undefined
      },
      release: () => {
        if (released) return
        released = true
        source.bytes -= claimed
        this.total.bytes -= claimed
        source.bodies--
        this.total.bodies--
        if (source.bodies === 0) this.sources.delete(sourceId)
      },
    }
  }
}
