import {badRequest, notFound} from '../errors.js'
import {compileFilter, validateFilter} from '../routing/filter.js'
import {matchesSubscription} from '../routing/match.js'
import {atomic, type Db} from '../store/db.js'
import {handleableJson, nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {deliveries, endpoints, events, subscriptions} from '../store/resources.js'
import type {Delivery, EventRecord, Headers, Project, Subscription} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {Input} from './input.js'
import {filtersBySubscription, routableSubscription} from './subscription-filters.js'
import {dateWindow, type DateRange} from './windows.js'

/** How an API-created event picks its subscriptions (Convoy's three create routes). */
export type EventTarget =
  | {kind: 'endpoint'; endpointId: string}
  | {kind: 'fanout'; ownerId: string}
  | {kind: 'broadcast'}
  | {kind: 'source'; sourceId: string}
  /** A Svix message: the app's active endpoints whose channels (if any) meet the message's; one endpoint for send-example/resend. */
  | {kind: 'svix'; appId: string; channels: string[] | null; endpointId?: string}

export interface StoredEvent {
  event: EventRecord
  deliveries: Delivery[]
}

/** Headers the relay sets itself on each delivery: framing, identity and signatures. */
export const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'connection',
  'transfer-encoding',
  'user-agent',
  'authorization',
  'x-convoy-signature',
  'x-convoy-event-id',
  'x-convoy-eventdelivery-id',
  'x-convoy-idempotency-key',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
])

/** Parse a Convoy create/fanout/broadcast body into what gets stored. */
export function readCreateEvent(body: unknown, kind: 'endpoint' | 'fanout' | 'broadcast') {
  const input = Input.of(body)
  const target: EventTarget =
    kind === 'endpoint'
      ? {kind, endpointId: input.str('endpoint_id', {required: true})}
      : kind === 'fanout'
        ? {kind, ownerId: input.str('owner_id', {required: true})}
        : {kind}
  if (!('data' in (body as object)) || input.raw('data') === undefined) throw badRequest('data is required')
  const customHeaders = input.record('custom_headers') ?? {}
  const headers: Headers = {}
  for (const [name, value] of Object.entries(customHeaders)) {
    if (typeof value !== 'string') throw badRequest(`custom_headers.${name} must be a string`)
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      throw badRequest(`custom_headers: "${name}" is not a valid header name`)
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      throw badRequest(`custom_headers: "${name}" is set by the relay and cannot be overridden`)
    headers[name.toLowerCase()] = [value]
  }
  return {
    target,
    eventType: input.str('event_type', {required: true, max: 500}),
    // Compact JSON: these exact bytes are what gets signed and sent.
    body: Buffer.from(JSON.stringify(input.raw('data'))),
    headers,
    idempotencyKey: input.str('idempotency_key', {max: 500}) ?? null,
  }
}

function candidateSubscriptions(db: Db, projectId: string, target: EventTarget): Subscription[] {
  switch (target.kind) {
    case 'endpoint':
      return subscriptions.find(db, ['project_id = ?', 'endpoint_id = ?'], [projectId, target.endpointId])
    case 'fanout':
      return subscriptions.find(
        db,
        [
          'project_id = ?',
          `type = 'api'`,
          `endpoint_id IN (SELECT id FROM endpoints WHERE project_id = ? AND owner_id = ? AND deleted_at IS NULL)`,
        ],
        [projectId, projectId, target.ownerId],
      )
    case 'broadcast':
      return subscriptions.find(db, ['project_id = ?', `type = 'api'`, 'endpoint_id IS NOT NULL'], [projectId])
    case 'source':
      return subscriptions.find(
        db,
        ['project_id = ?', 'source_id = ?', 'endpoint_id IS NOT NULL'],
        [projectId, target.sourceId],
      )
    case 'svix': {
      const only = target.endpointId ? 'AND id = ?' : ''
      return subscriptions.find(
        db,
        [
          'project_id = ?',
          `type = 'api'`,
          `endpoint_id IN (SELECT id FROM endpoints WHERE project_id = ? AND owner_id = ? AND deleted_at IS NULL AND status = 'active' ${only}
            AND (json_extract(svix, '$.channels') IS NULL
              OR EXISTS (SELECT 1 FROM json_each(json_extract(svix, '$.channels')) WHERE value IN (SELECT value FROM json_each(?)))))`,
        ],
        [
          projectId,
          projectId,
          target.appId,
          ...(target.endpointId ? [target.endpointId] : []),
          JSON.stringify(target.channels ?? []),
        ],
      )
    }
  }
}

/** What body filters see: the JSON, or nothing when the body cannot be handled as JSON. */
function parseJsonBody(body: Buffer): unknown {
  const json = handleableJson(body)
  return json.ok ? json.value : undefined
}

function queryValues(search: string): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null)
  if (!search) return out
  for (const [name, value] of new URLSearchParams(search)) out[name] = [...(out[name] ?? []), value]
  return out
}

/**
 * Store an event and fan it out: one Scheduled delivery per matching subscription, all in
 * one transaction so an acknowledged event always has its deliveries. A repeated
 * idempotency key stores the event flagged as a duplicate, with no deliveries.
 */
export function storeEvent(
  db: Db,
  project: Project,
  input: {
    target: EventTarget
    eventType: string
    body: Buffer
    headers: Headers
    idempotencyKey: string | null
    method?: string
    urlPath?: string
    urlQuery?: string
    verificationError?: string | null
    /** Retries per delivery; default: the project's retry_count. */
    retryLimit?: number
    /** Svix's fields of a message (target kind `svix`). */
    svix?: {eventUid: string | null; channels: string[] | null}
  },
  now = Date.now(),
): StoredEvent {
  return atomic(db, (): StoredEvent => {
    if (input.target.kind === 'endpoint' && !endpoints.get(db, project.id, input.target.endpointId)) {
      throw badRequest(`endpoint_id: endpoint ${input.target.endpointId} not found in this project`)
    }
    const duplicate =
      input.idempotencyKey !== null &&
      db
        .prepare(`SELECT 1 FROM events WHERE project_id = ? AND idempotency_key = ? AND is_duplicate = 0 LIMIT 1`)
        .get(project.id, input.idempotencyKey) !== undefined
    const created = nowIso(now)
    const event: EventRecord = {
      id: ulid(now),
      project_id: project.id,
      source_id: input.target.kind === 'source' ? input.target.sourceId : null,
      event_type: input.eventType,
      method: input.method ?? 'POST',
      url_path: input.urlPath ?? '',
      url_query: input.urlQuery ?? '',
      headers: input.headers,
      body: input.body,
      idempotency_key: input.idempotencyKey,
      is_duplicate: duplicate,
      verification_error: input.verificationError ?? null,
      target_endpoint_ids: [],
      app_id: input.target.kind === 'svix' ? input.target.appId : null,
      event_uid: input.svix?.eventUid ?? null,
      svix: input.svix ? {channels: input.svix.channels} : null,
      created_at: created,
      updated_at: created,
    }
    // send-example and resend go to the one endpoint named, whatever its filterTypes.
    const direct = input.target.kind === 'svix' && input.target.endpointId !== undefined
    const made: Delivery[] = []
    if (!duplicate && !event.verification_error) {
      const parsed = parseJsonBody(input.body)
      const candidates = candidateSubscriptions(db, project.id, input.target).filter((s) => s.status !== 'inactive')
      const filters = filtersBySubscription(
        db,
        candidates.map((s) => s.id),
      )
      const query = queryValues(input.urlQuery ?? '')
      for (const sub of candidates) {
        const matches =
          direct ||
          matchesSubscription(routableSubscription(sub, filters.get(sub.id) ?? []), {
            type: input.eventType,
            body: parsed,
            headers: input.headers,
            query,
          })
        if (!matches || !sub.endpoint_id) continue
        made.push({
          id: ulid(now),
          project_id: project.id,
          event_id: event.id,
          endpoint_id: sub.endpoint_id,
          subscription_id: sub.id,
          event_type: input.eventType,
          status: 'Scheduled',
          mode: sub.type === 'cli' ? 'stream' : 'push',
          attempts: 0,
          // at_most_once: one attempt, never retried.
          retry_limit:
            sub.delivery_mode === 'at_most_once' ? 0 : (input.retryLimit ?? project.config.strategy.retry_count),
          next_attempt_at: now,
          latency_ms: null,
          description: '',
          idempotency_key: input.idempotencyKey,
          created_at: created,
          updated_at: created,
        })
      }
    }
    event.target_endpoint_ids = [...new Set(made.map((d) => d.endpoint_id))]
    events.insert(db, event)
    for (const d of made) deliveries.insert(db, d)
    return {event, deliveries: made}
  })
}

export function requireEvent(db: Db, projectId: string, id: string): EventRecord {
  const event = events.get(db, projectId, id)
  if (!event) throw notFound(`event ${id}`)
  return event
}

export interface EventListFilter extends DateRange {
  /** One id or several (Convoy's `endpointId` and `sourceId` are lists). */
  endpointId?: string | string[]
  sourceId?: string | string[]
  idempotencyKey?: string
  eventType?: string
  /** Convoy's `query`: case-insensitive text found in the event type or the body. */
  query?: string
  /** Convoy's `body`: a filter (the subscription filter syntax) the JSON body must match. */
  body?: string
  /** Caravan: the status the list shows (`eventStatus`), or a dashboard label (Duplicate, Rejected, Stored). */
  status?: string[]
}

/** The statuses `eventStatus` reports. */
export const EVENT_STATUSES = ['Success', 'Failure', 'Retry', 'Processing', 'Pending'] as const
/** The dashboard's labels for events whose status says little (displayStatus in web/ui/events/types.ts). */
export const EVENT_LABELS = ['Duplicate', 'Rejected', 'Stored'] as const

/**
 * `eventStatus` in SQL, for a row of `events`: one range lookup on deliveries_event per event,
 * so a status filter is a condition like any other and keyset pagination stays exact.
 * Keep it in step with eventStatus below (a test compares the two).
 */
const OPEN = `d.status IN ('Scheduled', 'Processing', 'Retry')`
const WAITING = `(d.mode = 'stream' AND d.status IN ('Scheduled', 'Retry'))`
export const EVENT_STATUS_SQL = `(CASE WHEN COALESCE(events.verification_error, '') != '' THEN 'Failure' ELSE (
  SELECT CASE
    WHEN COUNT(*) = 0 THEN 'Success'
    WHEN SUM(${WAITING}) > 0 AND SUM(${OPEN}) = SUM(${WAITING}) THEN 'Pending'
    WHEN SUM(d.status IN ('Scheduled', 'Processing')) > 0 THEN 'Processing'
    WHEN SUM(d.status = 'Retry') > 0 THEN 'Retry'
    WHEN SUM(d.status IN ('Failure', 'Discarded')) > 0 THEN 'Failure'
    ELSE 'Success' END
  FROM deliveries d WHERE d.event_id = events.id) END)`

/**
 * Duplicate and Rejected events are few: each is found from its partial index (ids first),
 * not by reading every event of the project. Stored ones (no delivery) have no index.
 */
const LABEL_SQL: Record<(typeof EVENT_LABELS)[number], {sql: string; params: 'project' | 'none'}> = {
  Duplicate: {
    sql: `(events.id IN (SELECT id FROM events INDEXED BY events_duplicate WHERE project_id = ? AND is_duplicate = 1) AND events.is_duplicate = 1)`,
    params: 'project',
  },
  Rejected: {
    sql: `(events.id IN (SELECT id FROM events INDEXED BY events_unverified WHERE verification_error IS NOT NULL AND project_id = ?) AND events.is_duplicate = 0 AND COALESCE(events.verification_error, '') != '')`,
    params: 'project',
  },
  Stored: {
    sql: `(events.is_duplicate = 0 AND COALESCE(events.verification_error, '') = '' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = events.id))`,
    params: 'none',
  },
}

/** Delivery statuses at least one of which an event of that status has (verification failures aside). */
const CANDIDATES: Record<string, string> = {
  Failure: `status IN ('Failure', 'Discarded')`,
  Retry: `status = 'Retry'`,
  Processing: `status IN ('Scheduled', 'Processing')`,
  Pending: `status IN ('Scheduled', 'Retry') AND mode = 'stream'`,
}
/** Up to this many candidate deliveries, the list starts from them (deliveries_status) instead of walking events. */
const CANDIDATE_LIMIT = 2_000

/**
 * `status` values (any case) → one SQL condition; 400 naming an unknown one. Walking events
 * newest first and computing each one's status fills a page fast when the status is common;
 * for a rare one (few failed or queued deliveries) the candidates are read from the
 * deliveries_status index instead, so an empty or nearly empty result is not a full scan.
 */
function statusWhere(db: Db, projectId: string, values: string[]): {sql: string; params: unknown[]} | undefined {
  const known = [...EVENT_STATUSES, ...EVENT_LABELS]
  const statuses = new Set<string>()
  const labels = new Set<(typeof EVENT_LABELS)[number]>()
  for (const value of values) {
    const name = known.find((k) => k.toLowerCase() === value.trim().toLowerCase())
    if (!name) throw badRequest(`status: "${value}" is not one of ${known.join(', ')}`)
    if ((EVENT_LABELS as readonly string[]).includes(name)) labels.add(name as (typeof EVENT_LABELS)[number])
    else statuses.add(name)
  }
  const parts = [...labels].map((l) => LABEL_SQL[l].sql)
  const params: unknown[] = [...labels].flatMap((l) => (LABEL_SQL[l].params === 'project' ? [projectId] : []))
  if (statuses.size) {
    let sql = `${EVENT_STATUS_SQL} IN (${[...statuses].map((s) => `'${s}'`).join(', ')})`
    const few = !statuses.has('Success') && labels.size === 0
    if (few) {
      // One index range per status (an OR of them would not use deliveries_status).
      const ranges = [...statuses].map(
        (s) => `SELECT event_id FROM deliveries WHERE project_id = ? AND ${CANDIDATES[s]}`,
      )
      const rangeParams = ranges.map(() => projectId)
      const count = db
        .prepare(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM (${ranges.join(' UNION ALL ')}) LIMIT ?)`)
        .get(...rangeParams, CANDIDATE_LIMIT + 1) as {n: number}
      if (count.n <= CANDIDATE_LIMIT) {
        // Verification failures have no deliveries: they come from the events_unverified index.
        if (statuses.has('Failure'))
          ranges.push(
            `SELECT id FROM events INDEXED BY events_unverified WHERE verification_error IS NOT NULL AND project_id = ?`,
          )
        sql = `events.id IN (${ranges.join(' UNION ALL ')}) AND ${sql}`
        params.push(...ranges.map(() => projectId))
      }
    }
    parts.push(sql)
  }
  if (parts.length === 0) return undefined
  return {sql: parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`, params}
}

/** Parse and check the events list's `body` filter: 400 naming the problem, never a throw of another kind. */
export function readBodyFilter(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined
  let filter: unknown
  try {
    filter = JSON.parse(text)
  } catch {
    throw badRequest(`body: not valid JSON: ${JSON.stringify(text.slice(0, 100))}`)
  }
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter))
    throw badRequest('body: must be a JSON object in the subscription filter syntax, e.g. {"amount":{"$gte":100}}')
  const problem = validateFilter(filter, 'body')
  if (problem) throw badRequest(problem)
  return JSON.stringify(filter)
}

const bodyFilterReady = new WeakSet<Db>()
const compiledBodyFilters = new Map<string, (doc: unknown) => boolean>()

/**
 * `caravan_body_matches(filter, body)`: the subscription matcher as an SQL function, so a
 * body filter narrows the query itself and keyset pagination stays exact.
 */
function registerBodyFilter(db: Db): void {
  if (bodyFilterReady.has(db)) return
  db.function('caravan_body_matches', {deterministic: true}, (filter: unknown, body: unknown) => {
    if (typeof filter !== 'string' || !Buffer.isBuffer(body)) return 0
    let test = compiledBodyFilters.get(filter)
    if (!test) {
      if (compiledBodyFilters.size > 100) compiledBodyFilters.clear()
      compiledBodyFilters.set(filter, (test = compileFilter(JSON.parse(filter))))
    }
    const json = handleableJson(body)
    return json.ok && test(json.value) ? 1 : 0
  })
  bodyFilterReady.add(db)
}

/** SQL conditions for an event list filter (shared by the list, batch replay and its count). */
export function eventListWhere(
  db: Db,
  projectId: string,
  filter: EventListFilter,
): {where: string[]; params: unknown[]} {
  const where = ['project_id = ?', ...dateWindow(filter).where]
  const params: unknown[] = [projectId, ...dateWindow(filter).params]
  const ids = (value: string | string[] | undefined) => [value ?? []].flat().filter(Boolean)
  const sourceIds = ids(filter.sourceId)
  if (sourceIds.length) {
    where.push(`source_id IN (${sourceIds.map(() => '?').join(',')})`)
    params.push(...sourceIds)
  }
  if (filter.idempotencyKey) {
    where.push('idempotency_key = ?')
    params.push(filter.idempotencyKey)
  }
  if (filter.eventType) {
    where.push('event_type = ?')
    params.push(filter.eventType)
  }
  if (filter.query) {
    const needle = filter.query.toLowerCase()
    where.push(`(instr(lower(event_type), ?) > 0 OR instr(lower(CAST(body AS TEXT)), ?) > 0)`)
    params.push(needle, needle)
  }
  const bodyFilter = readBodyFilter(filter.body)
  if (bodyFilter) {
    registerBodyFilter(db)
    where.push('caravan_body_matches(?, body) = 1')
    params.push(bodyFilter)
  }
  const status = statusWhere(db, projectId, (filter.status ?? []).filter(Boolean))
  if (status) {
    where.push(status.sql)
    params.push(...status.params)
  }
  const endpointIds = ids(filter.endpointId)
  if (endpointIds.length) {
    where.push(
      `id IN (SELECT event_id FROM deliveries WHERE project_id = ? AND endpoint_id IN (${endpointIds.map(() => '?').join(',')}))`,
    )
    params.push(projectId, ...endpointIds)
  }
  return {where, params}
}

/** How many events a filter selects (Convoy's countbatchreplayevents). */
export function countEvents(db: Db, projectId: string, filter: EventListFilter): number {
  const {where, params} = eventListWhere(db, projectId, filter)
  const row = db.prepare(`SELECT COUNT(*) AS n FROM events WHERE ${where.join(' AND ')}`).get(...params) as {n: number}
  return row.n
}

export function listEvents(db: Db, projectId: string, page: PageQuery, filter: EventListFilter) {
  const {where, params} = eventListWhere(db, projectId, filter)
  return events.page(db, where, params, page)
}

/** What a list view shows of an event's deliveries (Caravan's `delivery_summary`). */
export interface DeliverySummary {
  statuses: string[]
  attempts: number
  /** Response code and latency of the most recent attempt of any delivery. */
  response_status: number | null
  latency_ms: number | null
  error: string
  /** Deliveries to `caravan listen` listeners (not endpoints). */
  listener_deliveries: number
  /** Distinct endpoints (not listeners) the event went to. */
  endpoints: number
  /** Of those, how many wait for their listener to take them. */
  waiting_for_listener: number
}

/** Delivery facts of many events in one query, for list views. */
export function deliverySummaries(db: Db, eventIds: string[]): Map<string, DeliverySummary> {
  const out = new Map<string, DeliverySummary>()
  if (eventIds.length === 0) return out
  const rows = db
    .prepare(
      `SELECT d.event_id, d.endpoint_id, d.status, d.mode, d.attempts, a.response_status, a.latency_ms, a.error, a.id AS attempt_id
       FROM deliveries d
       LEFT JOIN delivery_attempts a ON a.id = (SELECT id FROM delivery_attempts WHERE delivery_id = d.id ORDER BY id DESC LIMIT 1)
       WHERE d.event_id IN (${eventIds.map(() => '?').join(',')})`,
    )
    .all(...eventIds) as {
    event_id: string
    endpoint_id: string
    status: string
    mode: string
    attempts: number
    response_status: number | null
    latency_ms: number | null
    error: string | null
    attempt_id: string | null
  }[]
  const newest = new Map<string, string>()
  const endpointSeen = new Set<string>()
  for (const row of rows) {
    const summary = out.get(row.event_id) ?? {
      statuses: [],
      attempts: 0,
      response_status: null,
      latency_ms: null,
      error: '',
      listener_deliveries: 0,
      waiting_for_listener: 0,
      endpoints: 0,
    }
    summary.statuses.push(row.status)
    const key = `${row.event_id} ${row.endpoint_id}`
    if (row.mode !== 'stream' && !endpointSeen.has(key)) {
      endpointSeen.add(key)
      summary.endpoints++
    }
    if (row.mode === 'stream') {
      summary.listener_deliveries++
      if (row.status === 'Scheduled' || row.status === 'Retry') summary.waiting_for_listener++
    }
    summary.attempts += row.attempts
    if (row.attempt_id && row.attempt_id > (newest.get(row.event_id) ?? '')) {
      newest.set(row.event_id, row.attempt_id)
      summary.response_status = row.response_status
      summary.latency_ms = row.latency_ms
      summary.error = row.error ?? ''
    }
    out.set(row.event_id, summary)
  }
  return out
}

/** Delivery statuses of many events in one query, for list views. */
export function deliveryStatusesByEvent(db: Db, eventIds: string[]): Map<string, string[]> {
  return new Map([...deliverySummaries(db, eventIds)].map(([id, s]) => [id, s.statuses]))
}

/** Convoy's event status, derived from its deliveries. */
export function eventStatus(
  event: EventRecord,
  statuses: string[],
  waitingForListener = 0,
): 'Pending' | 'Processing' | 'Success' | 'Failure' | 'Retry' {
  if (event.verification_error) return 'Failure'
  if (statuses.length === 0) return 'Success'
  // Only deliveries queued for a listen are open: nothing is being processed, the event
  // waits for a listener to (re)connect. Convoy's `Pending` says that.
  const open = statuses.filter((s) => s === 'Scheduled' || s === 'Processing' || s === 'Retry').length
  if (waitingForListener > 0 && open === waitingForListener) return 'Pending'
  if (statuses.some((s) => s === 'Scheduled' || s === 'Processing')) return 'Processing'
  if (statuses.includes('Retry')) return 'Retry'
  if (statuses.some((s) => s === 'Failure' || s === 'Discarded')) return 'Failure'
  return 'Success'
}
