import {describe, expect, it} from 'vitest'

import {RateLimiter, RateLimiterRegistry} from '../../src/delivery/rate-limiter.js'

function clock(start = 1_000_000) {
  const c = {t: start, now: () => c.t}
  return c
}

/** Acquires `n` times at the current clock reading and counts the grants. */
function burst(limiter: {tryAcquire(): {ok: boolean}}, n: number): number {
  let granted = 0
  for (let i = 0; i < n; i++) if (limiter.tryAcquire().ok) granted++
  return granted
}

describe('RateLimiter', () => {
  it('allows `count` requests at once, then says how long to wait', () => {
    const c = clock()
    const limiter = new RateLimiter({count: 3, durationMs: 1000, now: c.now})
    expect(burst(limiter, 3)).toBe(3)
    expect(limiter.tryAcquire()).toEqual({ok: false, waitMs: 1000})
    c.t += 400
    expect(limiter.tryAcquire()).toEqual({ok: false, waitMs: 600})
  })

  it('frees a slot exactly when the oldest request leaves the window', () => {
    const c = clock()
    const limiter = new RateLimiter({count: 2, durationMs: 1000, now: c.now})
    limiter.tryAcquire()
    c.t += 300
    limiter.tryAcquire()
    c.t += 699
    expect(limiter.tryAcquire()).toEqual({ok: false, waitMs: 1})
    c.t += 1
    expect(limiter.tryAcquire()).toEqual({ok: true})
    // The next slot frees when the request sent at +300 ms ages out.
    expect(limiter.tryAcquire()).toEqual({ok: false, waitMs: 300})
  })

  it('never lets more than `count` through in any window (unlike a token bucket)', () => {
    const c = clock(0)
    const limiter = new RateLimiter({count: 5, durationMs: 1000, now: c.now})
    const sent: number[] = []
    // Poll every 7 ms for 10 s, sending whenever allowed.
    for (c.t = 0; c.t < 10_000; c.t += 7) if (limiter.tryAcquire().ok) sent.push(c.t)
    for (const start of sent) {
      expect(sent.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(5)
    }
    // ...while still using the allowance: 5 per second over 10 s.
    expect(sent.length).toBeGreaterThanOrEqual(45)
  })

  it('does not consume a slot when refusing', () => {
    const c = clock()
    const limiter = new RateLimiter({count: 1, durationMs: 1000, now: c.now})
    limiter.tryAcquire()
    for (let i = 0; i < 10; i++) limiter.tryAcquire()
    c.t += 1000
    expect(limiter.tryAcquire()).toEqual({ok: true})
  })

  it.each([0, -1])('treats count %i as unlimited', (count) => {
    const limiter = new RateLimiter({count, durationMs: 1000, now: () => 0})
    expect(limiter.unlimited).toBe(true)
    expect(burst(limiter, 10_000)).toBe(10_000)
  })

  it('treats a zero-length window as unlimited', () => {
    const limiter = new RateLimiter({count: 1, durationMs: 0, now: () => 0})
    expect(burst(limiter, 100)).toBe(100)
  })

  it('uses Date.now when no clock is injected', () => {
    const limiter = new RateLimiter({count: 1, durationMs: 60_000})
    expect(limiter.tryAcquire()).toEqual({ok: true})
    const refused = limiter.tryAcquire()
    expect(refused.ok).toBe(false)
    if (!refused.ok) {
      expect(refused.waitMs).toBeGreaterThan(59_000)
      expect(refused.waitMs).toBeLessThanOrEqual(60_000)
    }
  })

  describe('configure', () => {
    it('applies a lower limit at once, counting recent sends', () => {
      const c = clock()
      const limiter = new RateLimiter({count: 5, durationMs: 1000, now: c.now})
      expect(burst(limiter, 3)).toBe(3)
      limiter.configure({count: 2, durationMs: 1000})
      expect(limiter.config).toEqual({count: 2, durationMs: 1000})
      expect(limiter.tryAcquire()).toEqual({ok: false, waitMs: 1000})
    })

    it('applies a higher limit at once', () => {
      const c = clock()
      const limiter = new RateLimiter({count: 2, durationMs: 1000, now: c.now})
      expect(burst(limiter, 2)).toBe(2)
      limiter.configure({count: 4, durationMs: 1000})
      expect(burst(limiter, 5)).toBe(2)
    })

    it('keeps the window order after the ring buffer has wrapped', () => {
      const c = clock(0)
      const limiter = new RateLimiter({count: 3, durationMs: 1000, now: c.now})
      for (const t of [0, 100, 200, 1000, 1100]) {
        c.t = t
        expect(limiter.tryAcquire().ok).toBe(true)
      }
      // Recent sends are now 200, 1000, 1100; keep the newest two.
      c.t = 1150
      limiter.configure({count: 2, durationMs: 1000})
      expect(limiter.tryAcquire()).toEqual({ok: false, waitMs: 850})
    })

    it('applies a longer window to past sends', () => {
      const c = clock(0)
      const limiter = new RateLimiter({count: 1, durationMs: 1000, now: c.now})
      limiter.tryAcquire()
      c.t = 1500
      limiter.configure({count: 1, durationMs: 60_000})
      expect(limiter.tryAcquire()).toEqual({ok: false, waitMs: 58_500})
    })

    it('can switch to unlimited and back', () => {
      const c = clock()
      const limiter = new RateLimiter({count: 1, durationMs: 1000, now: c.now})
      limiter.configure({count: 0, durationMs: 1000})
      expect(burst(limiter, 50)).toBe(50)
      limiter.configure({count: 1, durationMs: 1000})
      expect(burst(limiter, 2)).toBe(1)
    })
  })
})

describe('RateLimiterRegistry', () => {
  it('keeps one limiter per endpoint', () => {
    const c = clock()
    const registry = new RateLimiterRegistry({now: c.now})
    const config = {count: 1, durationMs: 1000}
    expect(registry.tryAcquire('ep_a', config)).toEqual({ok: true})
    expect(registry.tryAcquire('ep_a', config)).toEqual({ok: false, waitMs: 1000})
    expect(registry.tryAcquire('ep_b', config)).toEqual({ok: true})
    expect(registry.get('ep_a', config)).toBe(registry.get('ep_a', config))
    expect(registry.size).toBe(2)
  })

  it('reconfigures an existing limiter when the endpoint config changes', () => {
    const c = clock()
    const registry = new RateLimiterRegistry({now: c.now})
    const before = registry.get('ep_a', {count: 1, durationMs: 1000})
    before.tryAcquire()
    const after = registry.get('ep_a', {count: 2, durationMs: 1000})
    expect(after).toBe(before)
    expect(after.config).toEqual({count: 2, durationMs: 1000})
    expect(after.tryAcquire()).toEqual({ok: true})
    expect(after.tryAcquire()).toEqual({ok: false, waitMs: 1000})
  })

  it('forgets deleted endpoints', () => {
    const registry = new RateLimiterRegistry({now: () => 0})
    const config = {count: 1, durationMs: 1000}
    registry.tryAcquire('ep_a', config)
    expect(registry.delete('ep_a')).toBe(true)
    expect(registry.has('ep_a')).toBe(false)
    expect(registry.tryAcquire('ep_a', config)).toEqual({ok: true})
  })
})
