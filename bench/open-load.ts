import {Pool} from 'undici'

import {sleep} from './harness.js'
import type {LoadRequest} from './load.js'

export interface OpenLoadSpec {
  /** e.g. http://127.0.0.1:5005 */
  origin: string
  /** Requests offered per second, whatever the answers. */
  perSecond: number
  count: number
  /** Keep-alive connections; a request finding all busy waits in the pool (and that wait counts). */
  connections: number
  build: (i: number) => LoadRequest
}

export interface OpenLoadResult {
  count: number
  ok: number
  failed: number
  statuses: Record<string, number>
  firstError?: string
  /** performance.now() of the first scheduled send, the last send and the last answer. */
  startedAt: number
  lastSentAt: number
  endedAt: number
  /** ms from request i's scheduled send time to its whole response read (NaN on failure). */
  latencies: Float64Array
  /** The longest a send left after its scheduled time (the generator's own lag). */
  maxSendLagMs: number
}

/**
 * Open-loop load: request i is due at start + i/perSecond and is sent then, however many
 * earlier ones are still unanswered. Its latency counts from that due time, not from when
 * it actually left, so a server (or a client) falling behind shows as latency instead of
 * as fewer requests sent (no coordinated omission). Sends due within the same timer tick
 * leave together.
 */
export async function runOpenLoad(spec: OpenLoadSpec): Promise<OpenLoadResult> {
  const pool = new Pool(spec.origin, {connections: spec.connections, pipelining: 1, keepAliveTimeout: 10_000})
  const latencies = new Float64Array(spec.count).fill(Number.NaN)
  const statuses: Record<string, number> = {}
  let ok = 0
  let failed = 0
  let firstError: string | undefined
  let maxSendLagMs = 0
  let endedAt = 0
  const send = async (i: number, due: number) => {
    const req = spec.build(i)
    try {
      const res = await pool.request({method: req.method, path: req.path, headers: req.headers, body: req.body})
      const text = await res.body.text()
      const now = performance.now()
      endedAt = Math.max(endedAt, now)
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
      if (res.statusCode >= 200 && res.statusCode < 300) {
        ok++
        latencies[i] = now - due
      } else {
        failed++
        firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 200)}`
      }
    } catch (error) {
      failed++
      statuses.error = (statuses.error ?? 0) + 1
      firstError ??= (error as Error).message
    }
  }
  const startedAt = performance.now()
  let lastSentAt = startedAt
  const requests: Promise<void>[] = []
  try {
    for (let i = 0; i < spec.count; i++) {
      const due = startedAt + (i * 1000) / spec.perSecond
      const wait = due - performance.now()
      if (wait > 0.5) await sleep(wait)
      lastSentAt = performance.now()
      maxSendLagMs = Math.max(maxSendLagMs, lastSentAt - due)
      requests.push(send(i, due))
    }
    await Promise.all(requests)
  } finally {
    await pool.close()
  }
  return {
    count: spec.count,
    ok,
    failed,
    statuses,
    firstError,
    startedAt,
    lastSentAt,
    endedAt,
    latencies,
    maxSendLagMs,
  }
}
