import {Pool} from 'undici'

export interface LoadRequest {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string
}

export interface LoadSpec {
  /** e.g. http://127.0.0.1:5005 */
  origin: string
  concurrency: number
  count: number
  build: (i: number) => LoadRequest
  /** Sees each answer (e.g. to keep the id the API gave an acknowledged event). */
  onResponse?: (i: number, status: number, body: string) => void
}

export interface LoadResult {
  count: number
  ok: number
  failed: number
  statuses: Record<string, number>
  firstError?: string
  /** performance.now() when the first request started / the last one finished. */
  startedAt: number
  endedAt: number
  /** performance.now() when request i was sent (NaN if it never was). */
  starts: Float64Array
  /** ms from send to the whole response body read, per request (NaN on network error). */
  latencies: Float64Array
}

/**
 * Closed-loop load: `concurrency` workers over one keep-alive pool, each sending its next
 * request as soon as the previous one's body is read, until `count` requests are done.
 * The same generator drives the raw sink and the relay, so the two are comparable.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const pool = new Pool(spec.origin, {connections: spec.concurrency, pipelining: 1, keepAliveTimeout: 10_000})
  const starts = new Float64Array(spec.count).fill(Number.NaN)
  const latencies = new Float64Array(spec.count).fill(Number.NaN)
  const tally = new Tally()
  let next = 0
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= spec.count) return
      const req = spec.build(i)
      const t0 = performance.now()
      starts[i] = t0
      const answer = await tally.send(pool, req)
      if (!answer) continue
      latencies[i] = performance.now() - t0
      spec.onResponse?.(i, answer.status, answer.text)
    }
  }
  const startedAt = performance.now()
  try {
    await Promise.all(Array.from({length: Math.min(spec.concurrency, spec.count)}, worker))
  } finally {
    await pool.close()
  }
  const {ok, failed, statuses, firstError} = tally
  return {count: spec.count, ok, failed, statuses, firstError, startedAt, endedAt: performance.now(), starts, latencies}
}

/** One request at a time through a pool, counted the way both load generators report. */
export class Tally {
  ok = 0
  failed = 0
  readonly statuses: Record<string, number> = {}
  firstError: string | undefined

  /** The answer (any status), or undefined when the request failed on the network. */
  async send(pool: Pool, req: LoadRequest): Promise<{status: number; text: string} | undefined> {
    try {
      const res = await pool.request({method: req.method, path: req.path, headers: req.headers, body: req.body})
      const text = await res.body.text()
      this.statuses[res.statusCode] = (this.statuses[res.statusCode] ?? 0) + 1
      if (isOk(res.statusCode)) this.ok++
      else {
        this.failed++
        this.firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 200)}`
      }
      return {status: res.statusCode, text}
    } catch (error) {
      this.failed++
      this.statuses.error = (this.statuses.error ?? 0) + 1
      this.firstError ??= (error as Error).message
      return undefined
    }
  }
}

export const isOk = (status: number) => status >= 200 && status < 300
