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
  const statuses: Record<string, number> = {}
  let next = 0
  let ok = 0
  let failed = 0
  let firstError: string | undefined
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= spec.count) return
      const req = spec.build(i)
      const t0 = performance.now()
      starts[i] = t0
      try {
        const res = await pool.request({method: req.method, path: req.path, headers: req.headers, body: req.body})
        const text = await res.body.text()
        latencies[i] = performance.now() - t0
        spec.onResponse?.(i, res.statusCode, text)
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
        if (res.statusCode >= 200 && res.statusCode < 300) ok++
        else {
          failed++
          firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 200)}`
        }
      } catch (error) {
        failed++
        statuses.error = (statuses.error ?? 0) + 1
        firstError ??= (error as Error).message
      }
    }
  }
  const startedAt = performance.now()
  try {
    await Promise.all(Array.from({length: Math.min(spec.concurrency, spec.count)}, worker))
  } finally {
    await pool.close()
  }
  return {count: spec.count, ok, failed, statuses, firstError, startedAt, endedAt: performance.now(), starts, latencies}
}
