import {storeEvent, type StoredEvent} from '../core/events.js'
import {HttpError, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {deliveries, events} from '../store/resources.js'
import type {Delivery, Endpoint, EventRecord, Project, SvixApp} from '../store/types.js'
import {retryScheduleFor} from '../delivery/retry-policy.js'
import {ulid, ulidCeil, ulidFloor} from '../util/ulid.js'

/** Deliveries made by resend and recover: Svix's `triggerType: 1` (manual). */
export const MANUAL_SUBSCRIPTION = 'svix:manual'

export interface MessageFields {
  eventType: string
  payload: Record<string, unknown>
  eventId: string | null
  channels: string[] | null
}

/** Retries of a message to an app's endpoints: Svix's schedule unless the project set its own. */
function retryLimit(project: Project): number {
  return retryScheduleFor(project, {svix: true})?.length ?? project.config.strategy.retry_count
}

export function createMessage(
  db: Db,
  project: Project,
  app: SvixApp,
  fields: MessageFields,
  only?: Endpoint,
  now = Date.now(),
): StoredEvent {
  return db.transaction(() => {
    if (fields.eventId && findByEventId(db, app, fields.eventId))
      throw new HttpError(409, `a message with eventId ${fields.eventId} already exists in this application`)
    return storeEvent(
      db,
      project,
      {
        target: {kind: 'svix', appId: app.id, channels: fields.channels, endpointId: only?.id},
        eventType: fields.eventType,
        // Compact JSON: these exact bytes are what gets signed and sent.
        body: Buffer.from(JSON.stringify(fields.payload)),
        headers: {},
        idempotencyKey: null,
        retryLimit: retryLimit(project),
        svix: {eventUid: fields.eventId, channels: fields.channels},
      },
      now,
    )
  })()
}

function findByEventId(db: Db, app: SvixApp, eventId: string): EventRecord | undefined {
  return events.find(db, ['project_id = ?', 'app_id = ?', 'event_uid = ?'], [app.project_id, app.id, eventId])[0]
}

/** A message of `app` by id or by its eventId. */
export function requireMessage(db: Db, app: SvixApp, idOrEventId: string): EventRecord {
  const byId = events.get(db, app.project_id, idOrEventId)
  const found = byId?.app_id === app.id ? byId : findByEventId(db, app, idOrEventId)
  if (!found) throw notFound(`message ${idOrEventId}`)
  return found
}

export interface MessageFilter {
  before?: string
  after?: string
  channel?: string
  eventTypes?: string[]
}

/** Conditions on the events table for a Svix list filter. */
export function messageWhere(filter: MessageFilter, prefix = ''): {where: string[]; params: unknown[]} {
  const where: string[] = []
  const params: unknown[] = []
  // An event's id is a ULID of its creation millisecond (the same instant as created_at), so
  // a time bound is an id bound: the list's own index serves it.
  if (filter.before) {
    where.push(`${prefix}id < ?`)
    params.push(ulidFloor(Date.parse(filter.before)))
  }
  if (filter.after) {
    where.push(`${prefix}id > ?`)
    params.push(ulidCeil(Date.parse(filter.after)))
  }
  if (filter.channel) {
    where.push(`EXISTS (SELECT 1 FROM json_each(json_extract(${prefix}svix, '$.channels')) WHERE value = ?)`)
    params.push(filter.channel)
  }
  if (filter.eventTypes?.length) {
    where.push(`${prefix}event_type IN (${filter.eventTypes.map(() => '?').join(',')})`)
    params.push(...filter.eventTypes)
  }
  return {where, params}
}

export function listMessages(db: Db, app: SvixApp, page: PageQuery, filter: MessageFilter) {
  const extra = messageWhere(filter)
  return events.page(
    db,
    ['project_id = ?', 'app_id = ?', ...extra.where],
    [app.project_id, app.id, ...extra.params],
    page,
  )
}

/** Svix's expunge: the payload is gone for good; the message and its attempts stay. */
export function expungeMessage(db: Db, event: EventRecord): void {
  events.update(db, {
    ...event,
    body: Buffer.from('{}'),
    svix: {channels: event.svix?.channels ?? null, expunged: true},
    updated_at: nowIso(),
  })
}

/** One more try of a message to one endpoint, now (Svix's resend; recover uses it per message). */
export function resendMessage(db: Db, event: EventRecord, endpoint: Endpoint, now = Date.now()): Delivery {
  if (event.svix?.expunged)
    throw new HttpError(400, `message ${event.id}: its payload was expunged, it cannot be resent`)
  const created = nowIso(now)
  return deliveries.insert(db, {
    id: ulid(now),
    project_id: event.project_id,
    event_id: event.id,
    endpoint_id: endpoint.id,
    subscription_id: MANUAL_SUBSCRIPTION,
    event_type: event.event_type,
    status: 'Scheduled',
    mode: 'push',
    attempts: 0,
    retry_limit: 0,
    next_attempt_at: now,
    latency_ms: null,
    description: 'resent through the Svix API',
    idempotency_key: event.idempotency_key,
    created_at: created,
    updated_at: created,
  })
}

/**
 * Svix's recover: every message whose latest delivery to the endpoint failed since `since`
 * (and before `until`) is sent again. Returns how many.
 */
export function recoverEndpoint(db: Db, endpoint: Endpoint, since: string, until?: string, now = Date.now()): number {
  return db.transaction(() => {
    const rows = db
      .prepare(
        `SELECT d.event_id FROM deliveries d
         WHERE d.endpoint_id = ? AND d.created_at >= ? ${until ? 'AND d.created_at < ?' : ''}
           AND d.id = (SELECT MAX(id) FROM deliveries WHERE endpoint_id = d.endpoint_id AND event_id = d.event_id)
           AND d.status = 'Failure'`,
      )
      .all(...[endpoint.id, since, ...(until ? [until] : [])]) as {event_id: string}[]
    let count = 0
    for (const {event_id} of rows) {
      const event = events.get(db, endpoint.project_id, event_id)
      if (!event || event.svix?.expunged) continue
      resendMessage(db, event, endpoint, now)
      count++
    }
    return count
  })()
}
