import type {Page, PageQuery} from '../../store/paginate.js'
import type {Delivery, DeliveryAttempt, Endpoint, EventRecord, EventType, SvixApp} from '../../store/types.js'
import {MANUAL_SUBSCRIPTION} from '../../svix/messages.js'
import {invalid} from './validate.js'

/** Svix's list body. */
export interface ListOut<U> {
  data: U[]
  iterator: string | null
  prevIterator: string | null
  done: boolean
}

export const DEFAULT_LIMIT = 50
export const MAX_LIMIT = 250

/**
 * `limit`, `iterator` (an id; `-<id>` walks back, as Svix's prevIterator does) and `order`
 * as a keyset page over ids.
 */
export function svixPageQuery(
  query: URLSearchParams,
  defaultOrder: 'ascending' | 'descending' = 'descending',
): PageQuery {
  const rawLimit = query.get('limit')
  let perPage = DEFAULT_LIMIT
  if (rawLimit !== null && rawLimit !== '') {
    perPage = Number(rawLimit)
    if (!Number.isInteger(perPage) || perPage < 1)
      throw invalid(['query', 'limit'], 'ensure this value is greater than or equal to 1', 'value_error.number.not_ge')
    perPage = Math.min(perPage, MAX_LIMIT)
  }
  const order = query.get('order') || defaultOrder
  if (order !== 'ascending' && order !== 'descending')
    throw invalid(
      ['query', 'order'],
      `value is not a valid enumeration member; permitted: 'ascending', 'descending'`,
      'type_error.enum',
    )
  const iterator = query.get('iterator') || ''
  const prev = iterator.startsWith('-')
  return {
    perPage,
    cursor: (prev ? iterator.slice(1) : iterator) || undefined,
    direction: prev ? 'prev' : 'next',
    sort: order === 'ascending' ? 'ASC' : 'DESC',
  }
}

export function listOut<T extends {id: string}, U>(page: Page<T>, query: PageQuery, map: (item: T) => U): ListOut<U> {
  const first = page.content[0]?.id
  const last = page.content.at(-1)?.id
  return {
    data: page.content.map(map),
    iterator: last ?? query.cursor ?? null,
    prevIterator: first ? `-${first}` : null,
    done: query.direction === 'next' ? !page.pagination.has_next_page : !page.pagination.has_prev_page,
  }
}

const rate = (value: number | null) => (value ? {rateLimit: value, throttleRate: value} : {})

export function appOut(app: SvixApp) {
  return {
    id: app.id,
    uid: app.uid,
    name: app.name,
    ...rate(app.rate_limit),
    metadata: app.metadata,
    createdAt: app.created_at,
    updatedAt: app.updated_at,
  }
}

export function endpointOut(endpoint: Endpoint) {
  const svix = endpoint.svix
  return {
    id: endpoint.id,
    uid: svix?.uid ?? null,
    url: endpoint.url,
    description: endpoint.description,
    disabled: endpoint.status !== 'active',
    filterTypes: svix?.filterTypes ?? null,
    channels: svix?.channels ?? null,
    metadata: svix?.metadata ?? {},
    ...rate(svix?.rateLimit ?? null),
    version: svix?.version ?? 1,
    createdAt: endpoint.created_at,
    updatedAt: endpoint.updated_at,
  }
}

function payloadOf(event: EventRecord): Record<string, unknown> {
  try {
    const value = JSON.parse(event.body.toString('utf8')) as unknown
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {}
  } catch {
    return {}
  }
}

export function messageOut(event: EventRecord, withContent = true) {
  return {
    id: event.id,
    eventId: event.event_uid ?? null,
    eventType: event.event_type,
    // Without content, Svix still sends the (required) field, empty.
    payload: withContent ? payloadOf(event) : {},
    channels: event.svix?.channels ?? null,
    timestamp: event.created_at,
  }
}

/** Svix's MessageStatus of a delivery: 0 success, 1 pending, 2 fail, 3 sending. */
export function deliveryStatus(delivery: Delivery): {
  status: 0 | 1 | 2 | 3
  statusText: string
  nextAttempt: string | null
} {
  const next =
    delivery.status === 'Retry' || delivery.status === 'Scheduled'
      ? new Date(delivery.next_attempt_at).toISOString()
      : null
  switch (delivery.status) {
    case 'Success':
      return {status: 0, statusText: 'success', nextAttempt: null}
    case 'Failure':
    case 'Discarded':
      return {status: 2, statusText: 'fail', nextAttempt: null}
    case 'Processing':
      return {status: 3, statusText: 'sending', nextAttempt: null}
    default:
      return {status: 1, statusText: 'pending', nextAttempt: next}
  }
}

export function attemptOut(attempt: DeliveryAttempt, delivery: Delivery) {
  const ok = attempt.response_status !== null && attempt.response_status >= 200 && attempt.response_status < 300
  return {
    id: attempt.id,
    msgId: delivery.event_id,
    endpointId: attempt.endpoint_id,
    url: attempt.url,
    response: attempt.response_body ? attempt.response_body.toString('utf8') : attempt.error,
    // Svix reports 0 when no HTTP answer came back (network error, timeout, circuit open).
    responseStatusCode: attempt.response_status ?? 0,
    responseDurationMs: attempt.latency_ms ?? 0,
    status: ok ? 0 : 2,
    statusText: ok ? 'success' : 'fail',
    timestamp: attempt.created_at,
    triggerType: delivery.subscription_id === MANUAL_SUBSCRIPTION ? 1 : 0,
  }
}

export function endpointMessageOut(event: EventRecord, delivery: Delivery, withContent = true) {
  return {...messageOut(event, withContent), ...deliveryStatus(delivery)}
}

export function messageEndpointOut(endpoint: Endpoint, delivery: Delivery) {
  return {...endpointOut(endpoint), ...deliveryStatus(delivery)}
}

export function eventTypeOut(eventType: EventType, withContent = true) {
  return {
    name: eventType.name,
    description: eventType.description,
    archived: eventType.archived,
    deprecated: eventType.deprecated_at !== null,
    schemas: withContent ? eventType.schemas : null,
    featureFlag: eventType.feature_flags?.[0] ?? null,
    featureFlags: eventType.feature_flags,
    groupName: eventType.group_name,
    createdAt: eventType.created_at,
    updatedAt: eventType.updated_at,
  }
}
