import {notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {metaEventAttempts, metaEvents} from '../store/resources.js'
import type {Headers, MetaEvent, MetaEventAttempt} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {dateWindow, type DateRange} from './windows.js'

export function createMetaEvent(
  db: Db,
  input: {projectId: string; type: string; url: string; body: Buffer},
): MetaEvent {
  const now = nowIso()
  return metaEvents.insert(db, {
    id: ulid(),
    project_id: input.projectId,
    event_type: input.type,
    url: input.url,
    body: input.body,
    status: 'Scheduled',
    attempts: 0,
    created_at: now,
    updated_at: now,
  })
}

export interface MetaAttemptResult {
  url: string
  requestHeaders: Record<string, string>
  status: number | null
  headers: Headers | null
  body: Buffer | null
  error: string
  latencyMs: number
}

/** Record one send of a meta event: its attempt, and its status (only 2xx is Success). */
export function recordMetaAttempt(db: Db, event: MetaEvent, result: MetaAttemptResult): MetaEvent {
  const now = nowIso()
  metaEventAttempts.insert(db, {
    id: ulid(),
    project_id: event.project_id,
    meta_event_id: event.id,
    url: result.url,
    request_headers: Object.fromEntries(Object.entries(result.requestHeaders).map(([k, v]) => [k, [v]])),
    response_status: result.status,
    response_headers: result.headers,
    response_body: result.body,
    error: result.error,
    latency_ms: result.latencyMs,
    created_at: now,
  })
  const ok = result.status !== null && result.status >= 200 && result.status < 300
  const current = metaEvents.get(db, event.project_id, event.id) ?? event
  return metaEvents.update(db, {
    ...current,
    status: ok ? 'Success' : 'Failure',
    attempts: current.attempts + 1,
    updated_at: now,
  })
}

export function requireMetaEvent(db: Db, projectId: string, id: string): MetaEvent {
  const event = metaEvents.get(db, projectId, id)
  if (!event) throw notFound(`meta event ${id}`)
  return event
}

export function listMetaEvents(db: Db, projectId: string, page: PageQuery, range: DateRange) {
  const window = dateWindow(range)
  return metaEvents.page(db, ['project_id = ?', ...window.where], [projectId, ...window.params], page)
}

export function metaEventAttemptsOf(db: Db, event: MetaEvent): MetaEventAttempt[] {
  return metaEventAttempts.find(db, ['meta_event_id = ?'], [event.id])
}
