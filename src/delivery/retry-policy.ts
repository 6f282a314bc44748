/**
 * What to do after a delivery attempt: succeed, retry later, give up, or disable the
 * endpoint. A pure function of the attempt's outcome, the project's strategy, a clock
 * reading and an injectable random source, so the schedule is testable to the millisecond.
 */

export type RetryStrategy = {
  type: 'linear' | 'exponential'
  /** Base interval in seconds (Convoy's `duration`). */
  duration: number
  /** Retries after the first attempt (Convoy's `retry_count`); 0 means one attempt only. */
  retryCount: number
  /** Delays in seconds before retry 1, 2, … (Svix's schedule); when set, `type` and `duration` are not used. */
  schedule?: readonly number[]
}

/** Svix's retry schedule: seconds before each retry after the first attempt. */
export const SVIX_RETRY_SCHEDULE: readonly number[] = Object.freeze([5, 300, 1800, 7200, 18_000, 36_000, 36_000])

/**
 * Convoy's defaults (linear, 10 s, 10 retries), so a project created without a strategy
 * behaves as it would on Convoy. Projects opt into `exponential` in their config.
 */
export const DEFAULT_RETRY_STRATEGY: Readonly<RetryStrategy> = Object.freeze({
  type: 'linear',
  duration: 10,
  retryCount: 10,
})

/**
 * Exponential growth stops here: without a cap, retry 20 of a 10 s base would wait
 * four months. The cap only bounds growth the policy adds (doubling, backoff); it never
 * shortens an interval the user configured explicitly.
 */
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000

/** ±20 %, as Svix does, so endpoints recovering from an outage are not hit in lockstep. */
export const RETRY_JITTER = 0.2

/**
 * Receivers that say they are overloaded (429, 502, 503, 504) or that did not answer in
 * time get twice the scheduled delay. Svix imposes a 60 s floor instead; that makes a
 * local dev loop with `duration: 1` painfully slow, while doubling still backs off
 * proportionally harder in production-sized schedules.
 */
export const OVERLOAD_BACKOFF_FACTOR = 2
const OVERLOAD_STATUSES = new Set([429, 502, 503, 504])

export type AttemptOutcome =
  {kind: 'http'; status: number; retryAfter?: string | null} | {kind: 'timeout'} | {kind: 'network'; code?: string}

export type RetryDecision =
  | {action: 'success'}
  | {action: 'retry'; delayMs: number; at: number; reason: string}
  | {action: 'fail'; reason: string}
  | {action: 'disable-endpoint'; reason: string}

export type NextRetryInput = {
  strategy: RetryStrategy
  /** Attempts made so far, including the one whose outcome this is (>= 1). */
  attempt: number
  outcome: AttemptOutcome
  /** Clock reading in ms since the epoch; `at` and HTTP-date `Retry-After` are relative to it. */
  now: number
  /** Uniform in [0, 1); 0.5 means no jitter. Defaults to Math.random. */
  random?: () => number
}

export function nextRetry(input: NextRetryInput): RetryDecision {
  const {strategy, attempt, outcome, now} = input
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`)
  }

  if (outcome.kind === 'http' && outcome.status >= 200 && outcome.status < 300) {
    return {action: 'success'}
  }

  const what = describeOutcome(outcome)
  // 410 Gone is the receiver saying "stop sending", so retrying would be rude and useless.
  if (outcome.kind === 'http' && outcome.status === 410) {
    return {action: 'disable-endpoint', reason: `${what}: endpoint gone, disabling it`}
  }

  const retryCount = Math.max(0, Math.floor(strategy.retryCount))
  if (attempt > retryCount) {
    const attempts = attempt === 1 ? '1 attempt' : `${attempt} attempts`
    return {action: 'fail', reason: `${what}, giving up after ${attempts} (retry_count ${retryCount})`}
  }

  const scheduled = scheduledDelayMs(strategy, attempt, isOverload(outcome))
  let delayMs = Math.round(scheduled * jitterFactor(input.random ?? Math.random))
  let note = ''

  // Honour Retry-After only within 1x-2x of our own schedule (Svix's rule): a receiver
  // cannot make us hammer it faster than the strategy allows, nor park a delivery for days.
  const retryAfterMs = outcome.kind === 'http' ? parseRetryAfter(outcome.retryAfter, now) : null
  if (retryAfterMs !== null) {
    const honoured = Math.min(Math.max(retryAfterMs, delayMs), delayMs * 2)
    note = ` (Retry-After ${formatDelay(retryAfterMs)})`
    delayMs = honoured
  }

  return {
    action: 'retry',
    delayMs,
    at: now + delayMs,
    reason: `${what}, retry ${attempt}/${retryCount} in ${formatDelay(delayMs)}${note}`,
  }
}

/**
 * Endpoints of a Svix application retry on Svix's schedule, unless the project set its own
 * strategy (anything but Convoy's default linear 10 s × 10): then the project's applies.
 */
export function retryScheduleFor(
  project: {config: {strategy: {type: string; duration: number; retry_count: number}}},
  endpoint: {svix?: unknown},
): readonly number[] | undefined {
  if (!endpoint.svix) return undefined
  const s = project.config.strategy
  const isDefault =
    s.type === DEFAULT_RETRY_STRATEGY.type &&
    s.duration === DEFAULT_RETRY_STRATEGY.duration &&
    s.retry_count === DEFAULT_RETRY_STRATEGY.retryCount
  return isDefault ? SVIX_RETRY_SCHEDULE : undefined
}

/** The delay before jitter and Retry-After. Exported for showing a project's schedule. */
export function scheduledDelayMs(strategy: RetryStrategy, attempt: number, overload = false): number {
  // A fixed schedule is already Svix's back-off: used as written (the last step repeats).
  if (strategy.schedule?.length) return strategy.schedule[Math.min(attempt, strategy.schedule.length) - 1] * 1000
  const baseMs = Number.isFinite(strategy.duration) ? Math.max(0, strategy.duration) * 1000 : 0
  if (baseMs === 0) return 0
  // Clamping the exponent keeps 2 ** n finite; 2 ** 40 ms is already far past the cap.
  const growth = strategy.type === 'exponential' ? 2 ** Math.min(attempt - 1, 40) : 1
  const raw = baseMs * growth * (overload ? OVERLOAD_BACKOFF_FACTOR : 1)
  return Math.max(baseMs, Math.min(raw, MAX_RETRY_DELAY_MS))
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date (all three
 * formats RFC 9110 requires recipients to accept). Dates in the past give 0. Anything
 * else gives null: V8's Date.parse accepts junk like "foo 1", so dates are matched first.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value == null) return null
  const v = value.trim()
  if (/^\d+$/.test(v)) return Number(v) * 1000

  let date = Number.NaN
  if (IMF_FIXDATE.test(v) || RFC850_DATE.test(v)) date = Date.parse(v)
  // asctime has no zone but means GMT; without the suffix V8 would read it as local time.
  else if (ASCTIME_DATE.test(v)) date = Date.parse(`${v} GMT`)
  if (Number.isNaN(date)) return null
  return Math.max(0, date - now)
}

const IMF_FIXDATE = /^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/
const RFC850_DATE = /^[A-Za-z]+, \d{2}-[A-Za-z]{3}-\d{2} \d{2}:\d{2}:\d{2} GMT$/
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/

/** A short human duration for log lines: 250ms, 40s, 1.5s, 5m, 1m30s, 2h, 1h12m. */
export function formatDelay(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${Math.round(ms / 100) / 10}s`
  const totalSeconds = Math.round(ms / 1000)
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = totalSeconds % 60
  if (h > 0) return m > 0 ? `${h}h${m}m` : `${h}h`
  return s > 0 ? `${m}m${s}s` : `${m}m`
}

function jitterFactor(random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1)
  return 1 + (r * 2 - 1) * RETRY_JITTER
}

function isOverload(outcome: AttemptOutcome): boolean {
  return outcome.kind === 'timeout' || (outcome.kind === 'http' && OVERLOAD_STATUSES.has(outcome.status))
}

function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'http':
      return `HTTP ${outcome.status}`
    case 'timeout':
      return 'timeout'
    case 'network':
      return outcome.code ? `network error ${outcome.code}` : 'network error'
  }
}
