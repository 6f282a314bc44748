import {Pool} from 'undici'

import {sleep} from './harness.js'
import {isOk, type LoadRequest, Tally} from './load.js'

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
  let maxSendLagMs = 0
  let endedAt = 0
  const tally = new Tally()
  const send = async (i: number, due: number) => {
    const answer = await tally.send(pool, spec.build(i))
    if (!answer) return
    const now = performance.now()
    endedAt = Math.max(endedAt, now)
    if (isOk(answer.status)) latencies[i] = now - due
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
  const {ok, failed, statuses, firstError} = tally
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
