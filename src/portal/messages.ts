import {allEventTypes, findEventType} from '../core/event-types.js'
import {storeEvent, type StoredEvent} from '../core/events.js'
import {batchRetry, forceResend, resendDelivery} from '../core/retries.js'
import {HttpError, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import type {PageQuery} from '../store/paginate.js'
import {attempts, deliveries, events} from '../store/resources.js'
import type {Delivery, Endpoint, EventRecord} from '../store/types.js'
import {createMessage, recoverEndpoint, resendMessage} from '../svix/messages.js'
import {type PortalSession, scopeEndpoint, scopeEndpoints} from './session.js'

/** The event catalogue: every live event type with its description, schemas and examples. */
export function catalogue(db: Db, session: PortalSession) {
  return allEventTypes(db, session.project.id)
    .filter((t) => !t.archived)
    .map((t) => ({
      name: t.name,
      description: t.description,
      group_name: t.group_name ?? (t.category || null),
      deprecated: t.deprecated_at !== null,
      schemas: t.schemas ?? {},
      examples: examplesOf(t.schemas),
    }))
}

function examplesOf(schemas: Record<string, unknown> | null): unknown[] {
  const out: unknown[] = []
  for (const schema of Object.values(schemas ?? {})) {
    const examples = (schema as {examples?: unknown} | null)?.examples
    if (Array.isArray(examples)) out.push(...examples)
  }
  return out
}

/** What send-example sends: the event type's first object example, as Svix's send-example. */
export function examplePayload(db: Db, projectId: string, eventType: string): Record<string, unknown> {
  const known = findEventType(db, projectId, eventType)
  const example = examplesOf(known?.schemas ?? null).find(
    (e) => e !== null && typeof e === 'object' && !Array.isArray(e),
  )
  return (example as Record<string, unknown> | undefined) ?? {type: eventType, example: true}
}

/**
 * Messages of the scope, newest first: an application's messages, or for a link the events
 * with a delivery to one of its endpoints. `endpointId` narrows to one (checked in scope).
 */
export function listScopeMessages(db: Db, session: PortalSession, page: PageQuery, endpointId?: string) {
  const scoped = new Set(scopeEndpoints(db, session).map((e) => e.id))
  const ids = endpointId ? [scopeEndpoint(db, session, endpointId).id] : [...scoped]
  const where = ['project_id = ?']
  const params: unknown[] = [session.project.id]
  if (session.kind === 'svix_app') {
    where.push('app_id = ?')
    params.push(session.app.id)
  }
  if (session.kind === 'portal_link' || endpointId) {
    if (ids.length === 0) where.push('0')
    else {
      where.push(`id IN (SELECT event_id FROM deliveries WHERE endpoint_id IN (${ids.map(() => '?').join(',')}))`)
      params.push(...ids)
    }
  }
  const result = events.page(db, where, params, page)
  // The page's deliveries in one query, not one per message.
  const made = new Map<string, Delivery[]>()
  const eventIds = result.content.map((e) => e.id)
  if (eventIds.length) {
    for (const d of deliveries.find(db, ['event_id IN (SELECT value FROM json_each(?))'], [JSON.stringify(eventIds)])) {
      if (scoped.has(d.endpoint_id)) made.set(d.event_id, [...(made.get(d.event_id) ?? []), d])
    }
  }
  return {
    content: result.content.map((e) => messageJson(e, made.get(e.id) ?? [], false)),
    pagination: result.pagination,
  }
}

function scopeDeliveries(db: Db, event: EventRecord, scoped: Set<string>): Delivery[] {
  return deliveries.find(db, ['event_id = ?'], [event.id]).filter((d) => scoped.has(d.endpoint_id))
}

function bodyOf(event: EventRecord): unknown {
  const text = event.body.toString('utf8')
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

function messageJson(event: EventRecord, made: Delivery[], withPayload: boolean) {
  return {
    id: event.id,
    event_type: event.event_type,
    event_id: event.event_uid ?? null,
    created_at: event.created_at,
    ...(withPayload ? {payload: bodyOf(event)} : {}),
    deliveries: made.map((d) => ({
      id: d.id,
      endpoint_id: d.endpoint_id,
      status: d.status,
      attempts: d.attempts,
      manual: d.subscription_id === 'svix:manual' || d.description === 'manual retry',
      created_at: d.created_at,
      updated_at: d.updated_at,
    })),
  }
}

/** One message of the scope, with its deliveries to the scope's endpoints and their attempts. */
export function scopeMessage(db: Db, session: PortalSession, id: string) {
  const event = events.get(db, session.project.id, id)
  const scoped = new Set(scopeEndpoints(db, session).map((e) => e.id))
  const made = event ? scopeDeliveries(db, event, scoped) : []
  const inScope = event && (session.kind === 'svix_app' ? event.app_id === session.app.id : made.length > 0)
  if (!event || !inScope) throw notFound(`message ${id.slice(0, 100)}`)
  const shown = messageJson(event, made, true)
  return {
    ...shown,
    deliveries: shown.deliveries.map((d) => ({
      ...d,
      attempts_made: attempts.find(db, ['delivery_id = ?'], [d.id]).map((a) => ({
        id: a.id,
        url: a.url,
        response_status: a.response_status,
        response_body: a.response_body ? a.response_body.toString('utf8').slice(0, 4096) : '',
        error: a.error,
        latency_ms: a.latency_ms,
        created_at: a.created_at,
      })),
    })),
  }
}

/** A delivery to one of the scope's endpoints (anything else: 404). */
export function scopeDelivery(db: Db, session: PortalSession, id: string): {delivery: Delivery; endpoint: Endpoint} {
  const delivery = deliveries.get(db, session.project.id, id)
  if (!delivery) throw notFound(`delivery ${id.slice(0, 100)}`)
  try {
    return {delivery, endpoint: scopeEndpoint(db, session, delivery.endpoint_id)}
  } catch {
    throw notFound(`delivery ${id.slice(0, 100)}`)
  }
}

/** Send the message to the delivery's endpoint again: Svix's resend, or Convoy's (force)resend. */
export function resendScopeDelivery(db: Db, session: PortalSession, id: string): Delivery {
  const {delivery, endpoint} = scopeDelivery(db, session, id)
  if (session.kind === 'svix_app') {
    const event = events.get(db, session.project.id, delivery.event_id)
    if (!event || event.app_id !== session.app.id) throw notFound(`delivery ${id.slice(0, 100)}`)
    return resendMessage(db, event, endpoint)
  }
  if (delivery.status !== 'Success') return resendDelivery(db, session.project, delivery.id)
  const {resent, failed} = forceResend(db, session.project, [delivery.id])
  if (!resent[0]) throw new HttpError(409, `delivery ${delivery.id} ${failed[0]?.reason ?? 'cannot be resent'}`)
  return resent[0]
}

/** Every message whose delivery to the endpoint failed since `since` goes again; returns how many. */
export function recoverScopeEndpoint(db: Db, session: PortalSession, endpoint: Endpoint, since: string): number {
  if (session.kind === 'svix_app') return recoverEndpoint(db, endpoint, since)
  return batchRetry(db, session.project, {endpointId: [endpoint.id], status: ['Failure'], startDate: since}).retried
}

/** The event type's example, to this one endpoint. */
export function sendScopeExample(db: Db, session: PortalSession, endpoint: Endpoint, eventType: string): StoredEvent {
  const payload = examplePayload(db, session.project.id, eventType)
  if (session.kind === 'svix_app')
    return createMessage(
      db,
      session.project,
      session.app,
      {eventType, payload, eventId: null, channels: endpoint.svix?.channels ?? null},
      endpoint,
    )
  return storeEvent(db, session.project, {
    target: {kind: 'endpoint', endpointId: endpoint.id},
    eventType,
    body: Buffer.from(JSON.stringify(payload)),
    headers: {},
    idempotencyKey: null,
  })
}
