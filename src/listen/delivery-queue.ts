import {connect} from 'node:net'

import type {EventFrame, ResultFrame} from '../relay/stream-protocol.js'
import type {ForwardResult, Forwarder} from './forwarder.js'
import {forwardUrl} from './target.js'

/** What one forwarding attempt looked like, for the printer. */
export interface AttemptRecord {
  time: Date
  delivery_id: string
  event_id: string
  event_type: string
  method: string
  path: string
  target: string
  status: number | null
  latency_ms: number
  attempt: number
  error: string
  /** true when the event stays queued and will be tried again */
  retrying: boolean
}

/** While the app stays down, an attempt is reported at most this often. */
export const STILL_WAITING_REPORT_MS = 60_000

/** A 5xx answer is retried this many times before the event is given up as Failure. */
export const MAX_SERVER_ERROR_ATTEMPTS = 5
const SERVER_ERROR_BACKOFF_MS = [1000, 2000, 4000, 8000]

/** True when something accepts TCP connections at the target: the app is back. */
export function probe(target: URL, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
    const socket = connect({host: target.hostname.replace(/^\[|\]$/g, ''), port})
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/** The most forwards `listen --concurrency` runs at once: the relay's stream window. */
export const MAX_LISTEN_CONCURRENCY = 50

/**
 * Forwards events one at a time, in order of arrival (the default), or up to
 * `concurrency` at once with no ordering promise. When the app is down the event being
 * forwarded waits (probing every 250 ms so delivery resumes as soon as the app is back);
 * a 5xx is retried with backoff, then given up as Failure so later events can go.
 */
export class DeliveryQueue {
  private readonly items: EventFrame[] = []
  private readonly known = new Set<string>()
  private active = 0
  private stopped = false
  private readonly wakers = new Set<() => void>()
  private readonly concurrency: number
  /** Shared by the forwards in flight, so an outage is announced once, not once per forward. */
  private appDown = false
  private lastWaitingNotice = 0

  constructor(
    private readonly opts: {
      forwarder: Forwarder
      /** Per forward to the app; 0 waits as long as the app takes. */
      forwardTimeoutMs?: number
      target: URL
      pathOverride?: string
      extraHeaders?: Record<string, string>
      report: (frame: ResultFrame) => void
      onAttempt: (record: AttemptRecord) => void
      onWaiting?: (message: string) => void
      /** Forwards at once (default 1: one at a time, in order). */
      concurrency?: number
    },
  ) {
    this.concurrency = Math.min(Math.max(Math.floor(opts.concurrency ?? 1), 1), MAX_LISTEN_CONCURRENCY)
  }

  /** Events waiting or being forwarded. */
  get length(): number {
    return this.items.length + this.active
  }

  push(frame: EventFrame): void {
    // A reconnect may resend what is already queued here.
    if (this.known.has(frame.delivery_id)) return
    this.known.add(frame.delivery_id)
    this.items.push(frame)
    this.pump()
  }

  stop(): void {
    this.stopped = true
    for (const wake of this.wakers) wake()
  }

  private pump(): void {
    while (!this.stopped && this.active < this.concurrency && this.items.length) {
      const frame = this.items.shift() as EventFrame
      this.active++
      void this.deliver(frame).finally(() => {
        this.active--
        this.known.delete(frame.delivery_id)
        this.pump()
      })
    }
  }

  private async pause(ms: number, untilAppUp = false): Promise<void> {
    const deadline = Date.now() + ms
    while (!this.stopped && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.wakers.delete(wake)
          resolve()
        }
        this.wakers.add(wake)
        setTimeout(wake, Math.min(250, Math.max(deadline - Date.now(), 0)))
      })
      if (untilAppUp && (await probe(this.opts.target))) return
    }
  }

  private async deliver(frame: EventFrame): Promise<void> {
    const url = forwardUrl(this.opts.target, frame.event, this.opts.pathOverride)
    const path = new URL(url).pathname
    let attempt = frame.attempt
    let serverErrors = 0
    let waitMs = 500
    let wasUnreachable = false
    let lastReport = 0
    while (!this.stopped) {
      const result = await this.opts.forwarder.forward({
        url,
        method: frame.event.method,
        headers: frame.event.headers,
        body: Buffer.from(frame.event.body_base64, 'base64'),
        extraHeaders: this.opts.extraHeaders,
        timeoutMs: this.opts.forwardTimeoutMs,
      })
      // A 5xx or a timeout: the app is up but failing. Unreachable: the app is down.
      const failedAnswer =
        (result.status !== null && result.status >= 500) || (result.status === null && !result.unreachable)
      if (failedAnswer) serverErrors++
      const retrying = result.unreachable || (failedAnswer && serverErrors < MAX_SERVER_ERROR_ATTEMPTS)
      // While the app stays down, report the first failure only: no line (or stored
      // attempt) per probe during a long outage.
      // …except once a minute, which also tells the gateway the listener is still at it.
      const repeat = result.unreachable && wasUnreachable && Date.now() - lastReport < STILL_WAITING_REPORT_MS
      if (this.appDown && !result.unreachable) {
        this.appDown = false
        this.opts.onWaiting?.(`${this.opts.target.host} is back; delivering`)
      }
      wasUnreachable = result.unreachable
      if (repeat) {
        await this.pause(waitMs, true)
        waitMs = Math.min(waitMs * 2, 5000)
        continue
      }
      lastReport = Date.now()
      this.opts.report(this.resultFrame(frame, url, result, !retrying))
      this.opts.onAttempt({
        time: new Date(),
        delivery_id: frame.delivery_id,
        event_id: frame.event.id,
        event_type: frame.event.event_type,
        method: frame.event.method,
        path,
        target: url,
        status: result.status,
        latency_ms: result.latencyMs,
        attempt,
        error: result.error,
        retrying,
      })
      if (!retrying) return
      attempt++
      if (result.unreachable) {
        if (!this.appDown || Date.now() - this.lastWaitingNotice >= STILL_WAITING_REPORT_MS) {
          this.appDown = true
          this.lastWaitingNotice = Date.now()
          this.opts.onWaiting?.(`waiting for ${this.opts.target.host} to come back`)
        }
        await this.pause(waitMs, true)
        waitMs = Math.min(waitMs * 2, 5000)
      } else {
        await this.pause(SERVER_ERROR_BACKOFF_MS[Math.min(serverErrors - 1, SERVER_ERROR_BACKOFF_MS.length - 1)])
      }
    }
  }

  private resultFrame(frame: EventFrame, url: string, result: ForwardResult, final: boolean): ResultFrame {
    return {
      type: 'result',
      delivery_id: frame.delivery_id,
      final,
      status: result.status,
      headers: result.headers ?? undefined,
      body_base64: result.body ? result.body.toString('base64') : undefined,
      latency_ms: result.latencyMs,
      error: result.error || undefined,
      url,
      request_headers: result.requestHeaders,
    }
  }
}
