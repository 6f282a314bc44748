/**
 * Per-endpoint circuit breaker. Consecutive failures open it; after a cool-down exactly
 * one probe goes through; the probe's result closes it or re-opens it. Time is passed in
 * on every call, so the state machine is pure apart from its own fields.
 *
 * The breaker decides whether a request is sent, never when a delivery is attempted: the
 * retry schedule does that. So the cool-down is bounded by the schedule — a failure that
 * comes with its delivery's next retry time (and every delivery the open breaker turns
 * away, via probeNoLaterThan) pulls the probe forward to that time at the latest. An
 * endpoint that comes back is then noticed within one retry interval, however long the
 * cool-down has grown.
 *
 * Results are not tied to requests: while a probe is out, the next result recorded is
 * taken as the probe's. The delivery loop sends one request per endpoint at a time while
 * the breaker is not closed, so this holds in practice.
 */

export type CircuitState = 'closed' | 'open' | 'half-open'

export type CircuitBreakerOptions = {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number
  /** First cool-down before a probe, ms. Default 30 s. */
  cooldownMs?: number
  /**
   * Each failed probe doubles the cool-down up to this, ms. Default 10 min: a dead
   * endpoint is then probed six times an hour rather than 120, while one that comes back
   * is noticed within minutes. Set equal to `cooldownMs` for a fixed cool-down.
   */
  maxCooldownMs?: number
}

export const DEFAULT_FAILURE_THRESHOLD = 5
export const DEFAULT_COOLDOWN_MS = 30_000
export const DEFAULT_MAX_COOLDOWN_MS = 10 * 60_000

export type CircuitSnapshot = {
  state: CircuitState
  consecutiveFailures: number
  /** When the breaker last opened (ms), or null while closed. */
  openedAt: number | null
  /** When a probe is (or was) allowed (ms), or null while closed. */
  retryAt: number | null
  /** The cool-down in force for the current (or next) opening. */
  cooldownMs: number
  probeInFlight: boolean
}

export class CircuitBreaker {
  readonly failureThreshold: number
  readonly baseCooldownMs: number
  readonly maxCooldownMs: number

  private failures = 0
  private openedAt: number | null = null
  /** When the probe is allowed: openedAt + cool-down, or earlier when a retry falls due. */
  private probeAt: number | null = null
  private cooldownMs: number
  private probeInFlight = false

  constructor(opts: CircuitBreakerOptions = {}) {
    const threshold = opts.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD
    const cooldown = opts.cooldownMs ?? DEFAULT_COOLDOWN_MS
    const maxCooldown = opts.maxCooldownMs ?? Math.max(cooldown, DEFAULT_MAX_COOLDOWN_MS)
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new RangeError(`failureThreshold must be an integer >= 1, got ${threshold}`)
    }
    if (!(cooldown >= 0) || !(maxCooldown >= cooldown)) {
      throw new RangeError(`need 0 <= cooldownMs <= maxCooldownMs, got ${cooldown} and ${maxCooldown}`)
    }
    this.failureThreshold = threshold
    this.baseCooldownMs = cooldown
    this.maxCooldownMs = maxCooldown
    this.cooldownMs = cooldown
  }

  state(now: number): CircuitState {
    if (this.openedAt === null) return 'closed'
    return this.probeInFlight || now >= this.probeAt! ? 'half-open' : 'open'
  }

  /**
   * Whether a request may go now. Not a mere query: once the cool-down is over, the
   * first `true` hands out the single probe and later calls say no until it reports.
   */
  canSend(now: number): boolean {
    switch (this.state(now)) {
      case 'closed':
        return true
      case 'open':
        return false
      case 'half-open':
        if (this.probeInFlight) return false
        this.probeInFlight = true
        return true
    }
  }

  /** Any 2xx proves the endpoint works, so it closes the breaker from every state. */
  recordSuccess(_now: number): void {
    this.failures = 0
    this.openedAt = null
    this.probeAt = null
    this.probeInFlight = false
    this.cooldownMs = this.baseCooldownMs
  }

  /**
   * `nextRetryAt`: when the failed delivery is due again (null when it will not be); the
   * probe is allowed by then at the latest.
   */
  recordFailure(now: number, nextRetryAt: number | null = null): void {
    this.failures++
    if (this.probeInFlight) {
      // The probe failed: the endpoint is still down, so wait longer before the next one.
      this.probeInFlight = false
      this.cooldownMs = Math.min(this.cooldownMs * 2, this.maxCooldownMs)
      this.open(now, nextRetryAt)
      return
    }
    // A failure reported while open belongs to a request sent before the breaker opened;
    // it must not push the probe further out (but its retry may pull it in).
    if (this.openedAt !== null) this.probeNoLaterThan(nextRetryAt)
    else if (this.failures >= this.failureThreshold) this.open(now, nextRetryAt)
  }

  /** A delivery turned away while open is due again at `at`: probe by then at the latest. */
  probeNoLaterThan(at: number | null): void {
    if (at !== null && this.probeAt !== null && at < this.probeAt) this.probeAt = at
  }

  private open(now: number, nextRetryAt: number | null): void {
    this.openedAt = now
    this.probeAt = now + this.cooldownMs
    this.probeNoLaterThan(nextRetryAt)
  }

  /** When the breaker allows (or allowed) its probe; null while closed. */
  retryAt(): number | null {
    return this.probeAt
  }

  snapshot(now: number): CircuitSnapshot {
    return {
      state: this.state(now),
      consecutiveFailures: this.failures,
      openedAt: this.openedAt,
      retryAt: this.retryAt(),
      cooldownMs: this.cooldownMs,
      probeInFlight: this.probeInFlight,
    }
  }

  /** Back to closed with a clean slate, e.g. when a user re-enables the endpoint. */
  reset(): void {
    this.recordSuccess(0)
  }
}

/** One breaker per endpoint id, all with the same options. */
export class CircuitBreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>()

  constructor(private readonly options: CircuitBreakerOptions = {}) {}

  get(endpointId: string): CircuitBreaker {
    let breaker = this.breakers.get(endpointId)
    if (!breaker) {
      breaker = new CircuitBreaker(this.options)
      this.breakers.set(endpointId, breaker)
    }
    return breaker
  }

  /** Snapshot without creating a breaker, so listing endpoints does not allocate one each. */
  snapshot(endpointId: string, now: number): CircuitSnapshot | null {
    return this.breakers.get(endpointId)?.snapshot(now) ?? null
  }

  delete(endpointId: string): boolean {
    return this.breakers.delete(endpointId)
  }

  get size(): number {
    return this.breakers.size
  }
}
