import type {ChalkInstance} from 'chalk'

import type {AttemptRecord} from './delivery-queue.js'

function stamp(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** One human line per attempt, e.g. `2026-11-23 10:04:05  POST /webhooks  push  01JD…  [200] 12 ms`. */
export function formatAttempt(r: AttemptRecord, c: ChalkInstance): string {
  const type = (r.event_type || '-').padEnd(14)
  const head = `${c.dim(stamp(r.time))}  ${r.method.padEnd(6)} ${r.path}  ${type} ${c.dim(r.event_id)}`
  const attempt = r.attempt > 1 ? ` (attempt ${r.attempt})` : ''
  if (r.status === null) {
    const tail = r.retrying ? ' — queued, retrying' : ' — given up (Failure; replay it later)'
    return `${head}  ${c.red('[ERROR]')} ${r.error}${tail}${attempt}`
  }
  const ok = r.status >= 200 && r.status < 300
  const code = ok ? c.green(`[${r.status}]`) : r.status >= 500 ? c.red(`[${r.status}]`) : c.yellow(`[${r.status}]`)
  const tail = r.retrying ? ' — retrying' : ok ? '' : ' — given up (Failure; replay it later)'
  return `${head}  ${code} ${r.latency_ms} ms${attempt}${tail}`
}

/** One NDJSON object per attempt (`listen --json`). */
export function attemptJson(r: AttemptRecord): string {
  return JSON.stringify({
    time: r.time.toISOString(),
    event_id: r.event_id,
    delivery_id: r.delivery_id,
    type: r.event_type,
    method: r.method,
    path: r.path,
    target: r.target,
    status: r.status,
    latency_ms: r.latency_ms,
    attempt: r.attempt,
    error: r.error || null,
    retrying: r.retrying,
  })
}
