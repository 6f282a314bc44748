// Whether one event fans out to one subscription: event type, body filter and header filter
// must all match (Convoy semantics).

import {matchesEventType} from './event-type.js'
import {matchesFilter} from './filter.js'

export interface RoutableSubscription {
  eventTypes: readonly string[]
  bodyFilter?: unknown
  headerFilter?: unknown
}

export interface RoutableEvent {
  type: string
  body: unknown
  headers: Record<string, string[] | string>
}

export function matchesSubscription(sub: RoutableSubscription, event: RoutableEvent): boolean {
  return (
    matchesEventType(sub.eventTypes, event.type) &&
    matchesFilter(sub.bodyFilter, event.body) &&
    matchesFilter(lowercaseFieldNames(sub.headerFilter), normalizeHeaders(event.headers))
  )
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
