// Whether one event fans out to one subscription: event type, body filter and header filter
// must all match (Convoy semantics).

import {matchesEventType} from './event-type.js'
import {matchesFilter} from './filter.js'

export interface RoutableFilter {
  bodyFilter?: unknown
  headerFilter?: unknown
  /** Matched against the request's query parameters, each a list of values (like headers). */
  queryFilter?: unknown
}

/** A per-event-type filter (Convoy's `/subscriptions/{id}/filters`); `*` serves types without their own. */
export interface EventTypeFilter extends RoutableFilter {
  eventType: string
}

export interface RoutableSubscription extends RoutableFilter {
  eventTypes: readonly string[]
  /** Enabled per-event-type filters: when one applies it replaces the subscription-wide filter. */
  filters?: readonly EventTypeFilter[]
}

export interface RoutableEvent {
  type: string
  body: unknown
  headers: Record<string, string[] | string>
  query?: Record<string, string[] | string>
}

/** The filter an event of `type` is judged by: its own type's, else `*`'s, else the subscription's. */
export function filterFor(sub: RoutableSubscription, type: string): RoutableFilter {
  const filters = sub.filters ?? []
  return filters.find((f) => f.eventType === type) ?? filters.find((f) => f.eventType === '*') ?? sub
}

export function matchesSubscription(sub: RoutableSubscription, event: RoutableEvent): boolean {
  return matchesEventType(sub.eventTypes, event.type) && matchesRoutableFilter(filterFor(sub, event.type), event)
}

/** Body, header and query filters all match (no event-type check). */
export function matchesRoutableFilter(filter: RoutableFilter, event: Omit<RoutableEvent, 'type'>): boolean {
  return (
    matchesFilter(filter.bodyFilter, event.body) &&
    matchesFilter(lowercaseFieldNames(filter.headerFilter), normalizeHeaders(event.headers)) &&
    (isEmptyFilter(filter.queryFilter) || matchesFilter(filter.queryFilter, multiValues(event.query ?? {})))
  )
}

function isEmptyFilter(filter: unknown): boolean {
  return (
    filter === undefined ||
    filter === null ||
    (typeof filter === 'object' && !Array.isArray(filter) && Object.keys(filter).length === 0)
  )
}

function multiValues(values: Record<string, string[] | string>): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null)
  for (const [name, value] of Object.entries(values)) out[name] = Array.isArray(value) ? value : [value]
  return out
}

// Header names are case-insensitive, so both sides are lowercased. Every header is an array
// of values, which lets the filter's any-element rule match a scalar against each value.
function normalizeHeaders(headers: RoutableEvent['headers']): Record<string, string[]> {
  // A null prototype keeps a header named `__proto__` an ordinary key.
  const normalized: Record<string, string[]> = Object.create(null)
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const key = name.toLowerCase()
    normalized[key] = [...(normalized[key] ?? []), ...(Array.isArray(value) ? value : [value])]
  }

  return normalized
}

// Each entry becomes its own `$and` clause, so `X-Id` and `x-id` in one filter cannot collide
// once lowercased: both conditions still apply.
function lowercaseFieldNames(filter: unknown): unknown {
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return filter
  return {$and: Object.entries(filter).map(([key, value]) => lowercaseClause(key, value))}
}

function lowercaseClause(key: string, value: unknown): Record<string, unknown> {
  if ((key === '$or' || key === '$and') && Array.isArray(value)) return {[key]: value.map(lowercaseFieldNames)}
  return {[key.startsWith('$') ? key : key.toLowerCase()]: value}
}
