/**
 * Per-endpoint outbound rate limit: at most `count` requests in any window of
 * `durationMs`. The limiter never drops anything; it answers "not yet, wait N ms" and
 * the delivery queue holds the request until then.
 *
 * Why a sliding-window log rather than GCRA/token bucket: a token bucket with burst
 * `count` lets through up to ~2x`count` within one window (a full burst, then the
 * refill), which a receiver enforcing "N per minute" would answer with 429s. The log is
 * exact, and its memory is bounded by `count` timestamps in a ring buffer.
 */

export type RateLimitConfig = {
  /** Requests allowed per window; <= 0 means unlimited. */
  count: number
  /** Window length in ms; <= 0 means unlimited too (a zero-length window limits nothing). */
  durationMs: number
}

export type AcquireResult = {ok: true} | {ok: false; waitMs: number}

export class RateLimiter {
  private readonly now: () => number
  private count = 0
  private durationMs = 0
  /** Send times of the last `count` requests, oldest at `head` once the buffer is full. */
  private log: number[] = []
  private head = 0

  constructor(opts: RateLimitConfig & {now?: () => number}) {
    this.now = opts.now ?? Date.now
    this.configure(opts)
  }

  get config(): RateLimitConfig {
    return {count: this.count, durationMs: this.durationMs}
  }

  get unlimited(): boolean {
    return this.count <= 0 || this.durationMs <= 0
  }

  /** How long until a slot is free (0: one is free now); takes nothing. */
  waitMs(): number {
    if (this.unlimited || this.log.length < this.count) return 0
    return Math.max(0, this.log[this.head] + this.durationMs - this.now())
  }

  /** Takes a slot if one is free now; otherwise says how long until the oldest expires. */
  tryAcquire(): AcquireResult {
    if (this.unlimited) return {ok: true}
    const now = this.now()
    if (this.log.length < this.count) {
      this.log.push(now)
      return {ok: true}
    }
    const oldest = this.log[this.head]
    const waitMs = oldest + this.durationMs - now
    if (waitMs > 0) return {ok: false, waitMs}
    this.log[this.head] = now
    this.head = (this.head + 1) % this.count
    return {ok: true}
  }

  /**
   * Applies a changed endpoint config without forgetting recent sends, so lowering the
   * limit takes effect immediately instead of granting a fresh window.
   */
  configure(config: RateLimitConfig): void {
    const count = Number.isFinite(config.count) ? Math.max(0, Math.floor(config.count)) : 0
    const durationMs = Number.isFinite(config.durationMs) ? Math.max(0, config.durationMs) : 0
    if (count === this.count && durationMs === this.durationMs) return
    const recent = this.ordered()
    this.count = count
    this.durationMs = durationMs
    this.log = count > 0 ? recent.slice(-count) : []
    this.head = 0
  }

  private ordered(): number[] {
    return [...this.log.slice(this.head), ...this.log.slice(0, this.head)]
  }
}

/** One limiter per endpoint id, created on first use and updated when the config changes. */
export class RateLimiterRegistry {
  private readonly limiters = new Map<string, RateLimiter>()
  private readonly now: () => number

  constructor(opts: {now?: () => number} = {}) {
    this.now = opts.now ?? Date.now
  }

  /** The endpoint's limiter, reconfigured if `config` differs from what it had. */
  get(endpointId: string, config: RateLimitConfig): RateLimiter {
    let limiter = this.limiters.get(endpointId)
    if (limiter) limiter.configure(config)
    else {
      limiter = new RateLimiter({...config, now: this.now})
      this.limiters.set(endpointId, limiter)
    }
    return limiter
  }

  tryAcquire(endpointId: string, config: RateLimitConfig): AcquireResult {
    return this.get(endpointId, config).tryAcquire()
  }

  waitMs(key: string, config: RateLimitConfig): number {
    return this.get(key, config).waitMs()
  }

  /** Forget an endpoint (deleted), so the map does not grow with dead ids. */
  delete(endpointId: string): boolean {
    return this.limiters.delete(endpointId)
  }

  has(endpointId: string): boolean {
    return this.limiters.has(endpointId)
  }

  get size(): number {
    return this.limiters.size
  }
}
