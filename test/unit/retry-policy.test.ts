import {describe, expect, it} from 'vitest'

import {
  DEFAULT_RETRY_STRATEGY,
  MAX_RETRY_DELAY_MS,
  type AttemptOutcome,
  type RetryStrategy,
  formatDelay,
  nextRetry,
  parseRetryAfter,
  scheduledDelayMs,
} from '../../src/delivery/retry-policy.js'

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0)
const noJitter = () => 0.5
const linear: RetryStrategy = {type: 'linear', duration: 10, retryCount: 10}
const exponential: RetryStrategy = {type: 'exponential', duration: 10, retryCount: 10}
const http = (status: number, retryAfter?: string | null): AttemptOutcome => ({kind: 'http', status, retryAfter})

function decide(outcome: AttemptOutcome, attempt = 1, strategy = linear, random = noJitter) {
  return nextRetry({strategy, attempt, outcome, now: NOW, random})
}

describe('DEFAULT_RETRY_STRATEGY', () => {
  it("is Convoy's default: linear, 10 s, 10 retries", () => {
    expect(DEFAULT_RETRY_STRATEGY).toEqual({type: 'linear', duration: 10, retryCount: 10})
    expect(Object.isFrozen(DEFAULT_RETRY_STRATEGY)).toBe(true)
  })
})

describe('nextRetry: outcome classification', () => {
  it.each([200, 201, 202, 204, 299])('treats %i as success', (status) => {
    expect(decide(http(status))).toEqual({action: 'success'})
  })

  it('treats 2xx as success even when retries are exhausted', () => {
    expect(decide(http(200), 99)).toEqual({action: 'success'})
  })

  it('disables the endpoint on 410 Gone, without retrying', () => {
    const d = decide(http(410))
    expect(d.action).toBe('disable-endpoint')
    expect(d).toHaveProperty('reason', 'HTTP 410: endpoint gone, disabling it')
  })

  it.each([100, 301, 302, 304, 307, 308])('retries %i: redirects are not followed and not success', (status) => {
    expect(decide(http(status)).action).toBe('retry')
  })

  it.each([400, 401, 403, 404, 409, 413, 422, 500, 501])('retries %i like Convoy does', (status) => {
    expect(decide(http(status))).toMatchObject({action: 'retry', delayMs: 10_000})
  })

  it('retries network errors and names the code in the reason', () => {
    expect(decide({kind: 'network', code: 'ECONNREFUSED'})).toEqual({
      action: 'retry',
      delayMs: 10_000,
      at: NOW + 10_000,
      reason: 'network error ECONNREFUSED, retry 1/10 in 10s',
    })
    expect(decide({kind: 'network'})).toHaveProperty('reason', 'network error, retry 1/10 in 10s')
  })

  it('rejects an attempt number below 1', () => {
    expect(() => decide(http(500), 0)).toThrow(RangeError)
    expect(() => decide(http(500), 1.5)).toThrow(RangeError)
  })
})

describe('nextRetry: exhaustion', () => {
  it('retries through attempt == retryCount and fails after that', () => {
    expect(decide(http(500), 10)).toMatchObject({action: 'retry', reason: 'HTTP 500, retry 10/10 in 10s'})
    expect(decide(http(500), 11)).toEqual({
      action: 'fail',
      reason: 'HTTP 500, giving up after 11 attempts (retry_count 10)',
    })
  })

  it('fails after the first attempt when retryCount is 0', () => {
    expect(decide({kind: 'timeout'}, 1, {...linear, retryCount: 0})).toEqual({
      action: 'fail',
      reason: 'timeout, giving up after 1 attempt (retry_count 0)',
    })
  })

  it('still disables on 410 when retries are exhausted', () => {
    expect(decide(http(410), 11).action).toBe('disable-endpoint')
  })
})

describe('nextRetry: schedule', () => {
  it('linear waits `duration` every time', () => {
    for (const attempt of [1, 2, 5, 10]) {
      expect(decide(http(500), attempt)).toMatchObject({delayMs: 10_000, at: NOW + 10_000})
    }
  })

  it('exponential doubles from `duration`', () => {
    const delays = [1, 2, 3, 4, 5].map((a) => (decide(http(500), a, exponential) as {delayMs: number}).delayMs)
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000])
  })

  it('caps exponential growth at one hour', () => {
    expect(MAX_RETRY_DELAY_MS).toBe(3_600_000)
    const strategy = {...exponential, retryCount: 5000}
    expect(decide(http(500), 9, strategy)).toMatchObject({delayMs: 2_560_000})
    expect(decide(http(500), 10, strategy)).toMatchObject({delayMs: MAX_RETRY_DELAY_MS})
    expect(decide(http(500), 4000, strategy)).toMatchObject({delayMs: MAX_RETRY_DELAY_MS})
  })

  it('does not shorten a linear interval configured above the cap', () => {
    const twoHours = {type: 'linear', duration: 7200, retryCount: 3} as const
    expect(decide(http(500), 1, twoHours)).toMatchObject({delayMs: 7_200_000})
    expect(decide(http(503), 1, twoHours)).toMatchObject({delayMs: 7_200_000})
  })

  it('formats the reason for logs', () => {
    expect(decide(http(503), 3, exponential)).toMatchObject({
      delayMs: 80_000,
      reason: 'HTTP 503, retry 3/10 in 1m20s',
    })
  })

  it('allows a zero duration (fast local loops)', () => {
    expect(decide(http(500), 1, {type: 'exponential', duration: 0, retryCount: 3})).toMatchObject({
      delayMs: 0,
      at: NOW,
    })
  })
})

describe('nextRetry: overload backoff', () => {
  it.each([429, 502, 503, 504])('doubles the delay for HTTP %i', (status) => {
    expect(decide(http(status))).toMatchObject({delayMs: 20_000})
    expect(decide(http(status), 3, exponential)).toMatchObject({delayMs: 80_000})
  })

  it('doubles the delay after a timeout', () => {
    expect(decide({kind: 'timeout'})).toMatchObject({delayMs: 20_000, reason: 'timeout, retry 1/10 in 20s'})
  })

  it('keeps the doubled delay within the cap', () => {
    expect(decide(http(503), 9, exponential)).toMatchObject({delayMs: MAX_RETRY_DELAY_MS})
  })

  it('does not double for ordinary errors', () => {
    expect(decide(http(500))).toMatchObject({delayMs: 10_000})
    expect(decide({kind: 'network', code: 'ECONNRESET'})).toMatchObject({delayMs: 10_000})
  })
})

describe('nextRetry: jitter', () => {
  it('spreads the delay by ±20 %', () => {
    expect(decide(http(500), 1, linear, () => 0)).toMatchObject({delayMs: 8_000, at: NOW + 8_000})
    expect(decide(http(500), 1, linear, () => 0.25)).toMatchObject({delayMs: 9_000})
    expect(decide(http(500), 1, linear, () => 0.999999)).toMatchObject({delayMs: 12_000})
  })

  it('applies jitter after the cap', () => {
    expect(decide(http(500), 20, {...exponential, retryCount: 50}, () => 0)).toMatchObject({
      delayMs: MAX_RETRY_DELAY_MS * 0.8,
    })
  })

  it('stays within ±20 % with the default random source', () => {
    for (let i = 0; i < 200; i++) {
      const d = nextRetry({strategy: linear, attempt: 1, outcome: http(500), now: NOW}) as {delayMs: number}
      expect(d.delayMs).toBeGreaterThanOrEqual(8_000)
      expect(d.delayMs).toBeLessThanOrEqual(12_000)
    }
  })
})

describe('nextRetry: Retry-After', () => {
  it('honours a value between 1x and 2x of the scheduled delay', () => {
    expect(decide(http(429, '30'))).toMatchObject({
      delayMs: 30_000,
      at: NOW + 30_000,
      reason: 'HTTP 429, retry 1/10 in 30s (Retry-After 30s)',
    })
  })

  it('never retries sooner than scheduled', () => {
    expect(decide(http(503, '1'))).toMatchObject({delayMs: 20_000})
    expect(decide(http(500, '0'))).toMatchObject({delayMs: 10_000})
  })

  it('clamps a long value to 2x the scheduled delay', () => {
    expect(decide(http(503, '86400'))).toMatchObject({
      delayMs: 40_000,
      reason: 'HTTP 503, retry 1/10 in 40s (Retry-After 24h)',
    })
  })

  it('accepts an HTTP-date relative to now', () => {
    const in15s = new Date(NOW + 15_000).toUTCString()
    expect(decide(http(500, in15s))).toMatchObject({delayMs: 15_000})
  })

  it('clamps relative to the jittered delay', () => {
    expect(decide(http(500, '100'), 1, linear, () => 0)).toMatchObject({delayMs: 16_000})
  })

  it('ignores unparsable values', () => {
    expect(decide(http(500, 'soon'))).toMatchObject({delayMs: 10_000, reason: 'HTTP 500, retry 1/10 in 10s'})
    expect(decide(http(500, null))).toMatchObject({delayMs: 10_000})
  })
})

describe('parseRetryAfter', () => {
  it('parses delta-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0)
  })

  it('parses the three HTTP-date formats as GMT', () => {
    const now = Date.UTC(1994, 10, 6, 8, 49, 0)
    expect(parseRetryAfter('Sun, 06 Nov 1994 08:49:37 GMT', now)).toBe(37_000)
    expect(parseRetryAfter('Sunday, 06-Nov-94 08:49:37 GMT', now)).toBe(37_000)
    expect(parseRetryAfter('Sun Nov  6 08:49:37 1994', now)).toBe(37_000)
  })

  it('gives 0 for a date in the past', () => {
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0)
  })

  it.each([null, undefined, '', 'soon', '-5', '1.5', 'foo 1', '2026-01-01T12:00:30Z', 'Thu, 01 Jan 2026'])(
    'returns null for %j',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeNull()
    },
  )
})

describe('scheduledDelayMs and formatDelay', () => {
  it('exposes the schedule without jitter', () => {
    expect([1, 2, 3].map((a) => scheduledDelayMs(exponential, a))).toEqual([10_000, 20_000, 40_000])
    expect(scheduledDelayMs(linear, 7, true)).toBe(20_000)
  })

  it('formats delays compactly', () => {
    expect(formatDelay(250)).toBe('250ms')
    expect(formatDelay(1500)).toBe('1.5s')
    expect(formatDelay(40_000)).toBe('40s')
    expect(formatDelay(300_000)).toBe('5m')
    expect(formatDelay(90_000)).toBe('1m30s')
    expect(formatDelay(7_200_000)).toBe('2h')
    expect(formatDelay(4_320_000)).toBe('1h12m')
  })
})
