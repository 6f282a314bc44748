import {describe, expect, it} from 'vitest'

import {
  CircuitBreaker,
  CircuitBreakerRegistry,
  DEFAULT_COOLDOWN_MS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_MAX_COOLDOWN_MS,
} from '../../src/delivery/circuit-breaker.js'

const T0 = 1_000_000

function failTimes(breaker: CircuitBreaker, n: number, now = T0): void {
  for (let i = 0; i < n; i++) breaker.recordFailure(now)
}

describe('CircuitBreaker', () => {
  it('has documented defaults', () => {
    expect(DEFAULT_FAILURE_THRESHOLD).toBe(5)
    expect(DEFAULT_COOLDOWN_MS).toBe(30_000)
    expect(DEFAULT_MAX_COOLDOWN_MS).toBe(600_000)
    const breaker = new CircuitBreaker()
    expect(breaker.failureThreshold).toBe(5)
    expect(breaker.baseCooldownMs).toBe(30_000)
    expect(breaker.maxCooldownMs).toBe(600_000)
  })

  it('starts closed and lets everything through', () => {
    const breaker = new CircuitBreaker()
    expect(breaker.state(T0)).toBe('closed')
    expect(breaker.canSend(T0)).toBe(true)
    expect(breaker.canSend(T0)).toBe(true)
    expect(breaker.retryAt()).toBeNull()
    expect(breaker.snapshot(T0)).toEqual({
      state: 'closed',
      consecutiveFailures: 0,
      openedAt: null,
      retryAt: null,
      cooldownMs: 30_000,
      probeInFlight: false,
    })
  })

  it('opens after 5 consecutive failures by default', () => {
    const breaker = new CircuitBreaker()
    failTimes(breaker, 4)
    expect(breaker.state(T0)).toBe('closed')
    expect(breaker.canSend(T0)).toBe(true)
    breaker.recordFailure(T0 + 10)
    expect(breaker.state(T0 + 10)).toBe('open')
    expect(breaker.canSend(T0 + 10)).toBe(false)
    expect(breaker.retryAt()).toBe(T0 + 10 + 30_000)
  })

  it('counts only consecutive failures', () => {
    const breaker = new CircuitBreaker({failureThreshold: 3})
    failTimes(breaker, 2)
    breaker.recordSuccess(T0)
    failTimes(breaker, 2)
    expect(breaker.state(T0)).toBe('closed')
    expect(breaker.snapshot(T0).consecutiveFailures).toBe(2)
    breaker.recordFailure(T0)
    expect(breaker.state(T0)).toBe('open')
  })

  it('stays open for the cool-down, then lets exactly one probe through', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 1000})
    breaker.recordFailure(T0)
    expect(breaker.canSend(T0 + 999)).toBe(false)
    expect(breaker.state(T0 + 999)).toBe('open')
    expect(breaker.state(T0 + 1000)).toBe('half-open')
    expect(breaker.canSend(T0 + 1000)).toBe(true)
    expect(breaker.canSend(T0 + 1000)).toBe(false)
    expect(breaker.canSend(T0 + 50_000)).toBe(false)
    expect(breaker.snapshot(T0 + 1000)).toMatchObject({state: 'half-open', probeInFlight: true})
  })

  it('closes when the probe succeeds, and resets the cool-down', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 1000})
    breaker.recordFailure(T0)
    breaker.canSend(T0 + 1000)
    breaker.recordFailure(T0 + 1100) // probe fails: cool-down doubles
    breaker.canSend(T0 + 3100)
    breaker.recordSuccess(T0 + 3200)
    expect(breaker.snapshot(T0 + 3200)).toEqual({
      state: 'closed',
      consecutiveFailures: 0,
      openedAt: null,
      retryAt: null,
      cooldownMs: 1000,
      probeInFlight: false,
    })
    expect(breaker.canSend(T0 + 3200)).toBe(true)
    expect(breaker.canSend(T0 + 3200)).toBe(true)
  })

  it('re-opens when the probe fails, doubling the cool-down up to the cap', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 1000, maxCooldownMs: 5000})
    let now = T0
    breaker.recordFailure(now)
    const cooldowns: number[] = []
    for (let i = 0; i < 5; i++) {
      now = breaker.retryAt()!
      expect(breaker.canSend(now - 1)).toBe(false)
      expect(breaker.canSend(now)).toBe(true)
      now += 10
      breaker.recordFailure(now)
      expect(breaker.state(now)).toBe('open')
      expect(breaker.snapshot(now).openedAt).toBe(now)
      cooldowns.push(breaker.retryAt()! - now)
    }
    expect(cooldowns).toEqual([2000, 4000, 5000, 5000, 5000])
  })

  it('keeps a fixed cool-down when the cap equals it', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 1000, maxCooldownMs: 1000})
    breaker.recordFailure(T0)
    breaker.canSend(T0 + 1000)
    breaker.recordFailure(T0 + 1000)
    expect(breaker.retryAt()).toBe(T0 + 2000)
  })

  it('ignores late failures while open, so they do not delay the probe', () => {
    const breaker = new CircuitBreaker({failureThreshold: 2, cooldownMs: 1000})
    failTimes(breaker, 2)
    breaker.recordFailure(T0 + 500)
    expect(breaker.retryAt()).toBe(T0 + 1000)
    // After the cool-down but before anyone took the probe, still a late result.
    breaker.recordFailure(T0 + 1200)
    expect(breaker.retryAt()).toBe(T0 + 1000)
    expect(breaker.canSend(T0 + 1200)).toBe(true)
  })

  it('closes on a success reported while open', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1})
    breaker.recordFailure(T0)
    breaker.recordSuccess(T0 + 5)
    expect(breaker.state(T0 + 5)).toBe('closed')
    expect(breaker.canSend(T0 + 5)).toBe(true)
  })

  it('re-opens only after a full threshold of new failures once closed again', () => {
    const breaker = new CircuitBreaker({failureThreshold: 2, cooldownMs: 1000})
    failTimes(breaker, 2)
    breaker.canSend(T0 + 1000)
    breaker.recordSuccess(T0 + 1000)
    breaker.recordFailure(T0 + 2000)
    expect(breaker.state(T0 + 2000)).toBe('closed')
    breaker.recordFailure(T0 + 2001)
    expect(breaker.state(T0 + 2001)).toBe('open')
    expect(breaker.retryAt()).toBe(T0 + 3001)
  })

  it('allows a zero cool-down (probe immediately)', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 0})
    breaker.recordFailure(T0)
    expect(breaker.state(T0)).toBe('half-open')
    expect(breaker.canSend(T0)).toBe(true)
    expect(breaker.canSend(T0)).toBe(false)
  })

  it('raises the default cap when the cool-down exceeds it', () => {
    expect(new CircuitBreaker({cooldownMs: 3_600_000}).maxCooldownMs).toBe(3_600_000)
  })

  it('reset() closes it with a clean slate', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 1000})
    breaker.recordFailure(T0)
    breaker.canSend(T0 + 1000)
    breaker.recordFailure(T0 + 1000)
    breaker.reset()
    expect(breaker.snapshot(T0 + 1000)).toMatchObject({state: 'closed', consecutiveFailures: 0, cooldownMs: 1000})
  })

  it.each([
    {failureThreshold: 0},
    {failureThreshold: 1.5},
    {cooldownMs: -1},
    {cooldownMs: Number.NaN},
    {cooldownMs: 2000, maxCooldownMs: 1000},
  ])('rejects invalid options %j', (opts) => {
    expect(() => new CircuitBreaker(opts)).toThrow(RangeError)
  })
})

describe('CircuitBreakerRegistry', () => {
  it('keeps one breaker per endpoint, sharing the options', () => {
    const registry = new CircuitBreakerRegistry({failureThreshold: 1, cooldownMs: 1000})
    registry.get('ep_a').recordFailure(T0)
    expect(registry.get('ep_a').state(T0)).toBe('open')
    expect(registry.get('ep_b').state(T0)).toBe('closed')
    expect(registry.get('ep_b').failureThreshold).toBe(1)
    expect(registry.size).toBe(2)
  })

  it('snapshots without creating breakers for unknown endpoints', () => {
    const registry = new CircuitBreakerRegistry()
    expect(registry.snapshot('ep_x', T0)).toBeNull()
    expect(registry.size).toBe(0)
    registry.get('ep_a')
    expect(registry.snapshot('ep_a', T0)).toMatchObject({state: 'closed'})
  })

  it('forgets deleted endpoints', () => {
    const registry = new CircuitBreakerRegistry({failureThreshold: 1})
    registry.get('ep_a').recordFailure(T0)
    expect(registry.delete('ep_a')).toBe(true)
    expect(registry.get('ep_a').state(T0)).toBe('closed')
  })
})
