import type {Duplex} from 'node:stream'

import {
  describeStoreCondition,
  httpErrorFor,
  STORE_RETRY_AFTER_SECONDS,
  storeCondition,
  storeUnavailableCode,
} from '../errors.js'

export interface RetryBounds {
  /** First wait after a failure. */
  minMs: number
  /** Longest wait between tries (the back-off doubles up to this). */
  maxMs: number
}

export const DEFAULT_STORE_RETRY: RetryBounds = {minMs: 250, maxMs: 5000}

/** The probe is cheap (it never waits for a lock): it looks at least this often. */
const PROBE_MAX_MS = 1000

/** Bounded exponential back-off: min, 2×min, 4×min … max, until reset. */
export class Backoff {
  private current = 0

  constructor(private readonly bounds: RetryBounds) {}

  next(): number {
    this.current = this.current === 0 ? this.bounds.minMs : Math.min(this.current * 2, this.bounds.maxMs)
    return this.current
  }

  reset(): void {
    this.current = 0
  }
}

export type StoreStatus =
  {status: 'ok'} | {status: 'failing'; code: string; reason: string; since: string; where: string}

export interface StoreHealthOptions {
  log: (line: string) => void
  /** A small committed write: succeeds once the store takes writes again (used while idle). */
  probe?: () => void
  retry?: RetryBounds
  now?: () => number
}

/**
 * What the relay knows about its store's health. Every part that reads or writes reports
 * failures and committed writes here, so a condition (disk full, write lock held elsewhere,
 * I/O error) is logged once when it starts and once when it clears — not once per retry —
 * and `/healthz` can say the store is failing. While failing, a probe write runs with
 * back-off so recovery is seen even when no traffic arrives.
 */
export class StoreHealth {
  private failing: {code: string; condition: string; since: number; where: string} | undefined
  private probeTimer: NodeJS.Timeout | undefined
  private readonly probeBackoff: Backoff
  private readonly now: () => number
  private closed = false
  private readonly recoveredListeners = new Set<() => void>()
  readonly retry: RetryBounds

  constructor(private readonly opts: StoreHealthOptions) {
    this.retry = opts.retry ?? DEFAULT_STORE_RETRY
    this.probeBackoff = new Backoff({minMs: this.retry.minMs, maxMs: Math.min(this.retry.maxMs, PROBE_MAX_MS)})
    this.now = opts.now ?? Date.now
  }

  backoff(): Backoff {
    return new Backoff(this.retry)
  }

  /** Call `listener` each time the store recovers, so parts waiting out a back-off retry at once. */
  onRecovered(listener: () => void): () => void {
    this.recoveredListeners.add(listener)
    return () => this.recoveredListeners.delete(listener)
  }

  /**
   * Report a failed store operation. True when it is a store condition the caller should
   * back off from and retry; false for anything else (a bug or bad data), which is not
   * recorded here.
   */
  failed(where: string, error: unknown): boolean {
    const code = storeUnavailableCode(error)
    if (!code) return false
    const condition = storeCondition(code)
    if (this.failing?.condition !== condition) {
      this.opts.log(
        `store: ${where} failed: ${describeStoreCondition(code)} (${code}); retrying with back-off (up to every ${Math.round(this.retry.maxMs / 1000)}s), nothing acknowledged is dropped`,
      )
      this.failing = {code, condition, since: this.now(), where}
    }
    this.armProbe()
    return true
  }

  /**
   * A write committed. While failing that alone proves little (a small write can still fit
   * in a store too full for a webhook body), so the probe decides; without a probe, it does.
   */
  wrote(): void {
    if (!this.failing) return
    const probe = this.opts.probe
    if (!probe) return this.ok()
    try {
      probe()
    } catch (error) {
      this.failed('probe', error)
      return
    }
    this.ok()
  }

  /** The store is known to take writes again. */
  ok(): void {
    if (!this.failing) return
    const seconds = ((this.now() - this.failing.since) / 1000).toFixed(1)
    this.opts.log(`store: writable again after ${seconds}s (${this.failing.code})`)
    this.failing = undefined
    this.probeBackoff.reset()
    if (this.probeTimer) clearTimeout(this.probeTimer)
    this.probeTimer = undefined
    // After the write that proved it: let it finish before the others pile in.
    setImmediate(() => {
      for (const listener of this.recoveredListeners) {
        try {
          listener()
        } catch (error) {
          this.opts.log(`store: after recovery: ${(error as Error).message}`)
        }
      }
    })
  }

  get isFailing(): boolean {
    return this.failing !== undefined
  }

  snapshot(): StoreStatus {
    if (!this.failing) return {status: 'ok'}
    return {
      status: 'failing',
      code: this.failing.code,
      reason: describeStoreCondition(this.failing.code),
      since: new Date(this.failing.since).toISOString(),
      where: this.failing.where,
    }
  }

  close(): void {
    this.closed = true
    this.recoveredListeners.clear()
    if (this.probeTimer) clearTimeout(this.probeTimer)
  }

  private armProbe(): void {
    const probe = this.opts.probe
    if (!probe || this.probeTimer || this.closed) return
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined
      if (this.closed || !this.failing) return
      try {
        probe()
        this.ok()
      } catch (error) {
        if (!this.failed('probe', error)) this.opts.log(`store: probe failed: ${(error as Error).message}`)
        this.armProbe()
      }
    }, this.probeBackoff.next())
    this.probeTimer.unref?.()
  }
}

/**
 * Answer a WebSocket upgrade that failed before the handshake: 503 with Retry-After when
 * the store is unavailable (clients reconnect with back-off), else 500.
 */
export function answerUpgradeFailure(
  socket: Duplex,
  error: unknown,
  health: StoreHealth,
  log: (line: string) => void,
): void {
  const unavailable = health.failed('a stream upgrade', error)
  if (!unavailable) log(`stream upgrade failed: ${(error as Error).message}`)
  const known = httpErrorFor(error)
  const status = unavailable ? 503 : (known?.status ?? 500)
  const reason = status === 503 ? 'Service Unavailable' : status === 500 ? 'Internal Server Error' : 'Bad Request'
  const body = JSON.stringify({status: false, message: known?.message ?? 'internal error'})
  const retry = unavailable ? `retry-after: ${STORE_RETRY_AFTER_SECONDS}\r\n` : ''
  if (socket.writable)
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${retry}connection: close\r\n\r\n${body}`,
    )
  else socket.destroy()
}
