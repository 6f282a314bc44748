import {badRequest, HttpError, notFound} from '../errors.js'
import {validateEventTypePattern} from '../routing/event-type.js'
import {validateFilter} from '../routing/filter.js'
import {matchesRoutableFilter, matchesSubscription, type RoutableSubscription} from '../routing/match.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {subscriptionFilters, subscriptions} from '../store/resources.js'
import type {Subscription, SubscriptionFilter} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {Input} from './input.js'
import {requireSubscription} from './subscriptions.js'

/** Filters in one bulk call; a subscription has one filter per event type, so this is plenty. */
export const MAX_BULK_FILTERS = 1000

/** A subscription as the matcher sees it, with its enabled per-event-type filters. */
export function routableSubscription(sub: Subscription, filters: readonly SubscriptionFilter[]): RoutableSubscription {
  return {
    eventTypes: sub.filter_config.event_types,
    bodyFilter: sub.filter_config.filter.body,
    headerFilter: sub.filter_config.filter.headers,
    filters: filters
      .filter((f) => f.enabled_at !== null)
      .map((f) => ({eventType: f.event_type, bodyFilter: f.body, headerFilter: f.headers, queryFilter: f.query})),
  }
}

/** The filters of many subscriptions in one query (the event fan-out's hot path). */
export function filtersBySubscription(db: Db, subscriptionIds: string[]): Map<string, SubscriptionFilter[]> {
  const out = new Map<string, SubscriptionFilter[]>()
  if (subscriptionIds.length === 0) return out
  const rows = subscriptionFilters.find(
    db,
    [`subscription_id IN (SELECT value FROM json_each(?))`],
    [JSON.stringify(subscriptionIds)],
  )
  for (const f of rows) out.set(f.subscription_id, [...(out.get(f.subscription_id) ?? []), f])
  return out
}

function readScope(input: Input, name: 'body' | 'headers' | 'query', base: Record<string, unknown>) {
  const value = input.record(name) ?? base
  const problem = validateFilter(value, input.field(name))
  if (problem) throw badRequest(problem)
  return value
}

/** Convoy's `enabled_at`: absent → now, null → disabled, a date string or `{set, time}`. */
function readEnabledAt(input: Input, base: string | null, now: string): string | null {
  const raw = input.raw('enabled_at')
  if (raw === undefined) return base
  if (raw === null) return null
  if (typeof raw === 'string') return checkedDate(raw, input.field('enabled_at'))
  const obj = Input.of(raw, input.field('enabled_at'))
  if (obj.bool('set') === false) return null
  const time = obj.str('time')
  return time ? checkedDate(time, obj.field('time')) : now
}

function checkedDate(value: string, field: string): string {
  const ms = Date.parse(value)
  if (Number.isNaN(ms)) throw badRequest(`${field} is not a valid date: "${value.slice(0, 100)}"`)
  return new Date(ms).toISOString()
}

function readFilter(body: unknown, base: SubscriptionFilter, opts: {eventTypeRequired: boolean}): SubscriptionFilter {
  const input = Input.of(body)
  const now = nowIso()
  const eventType = input.str('event_type', {required: opts.eventTypeRequired as true, max: 500}) ?? base.event_type
  const problem = validateEventTypePattern(eventType)
  if (problem) throw badRequest(`${input.field('event_type')}: ${problem}`)
  const path = input.record('path')
  if (path && Object.keys(path).length > 0)
    throw badRequest(`${input.field('path')}: path filters are not supported by Caravan (use body, headers or query)`)
  return {
    ...base,
    event_type: eventType,
    body: readScope(input, 'body', base.body),
    headers: readScope(input, 'headers', base.headers),
    query: readScope(input, 'query', base.query),
    enabled_at: readEnabledAt(input, base.enabled_at, now),
    updated_at: now,
  }
}

function blankFilter(sub: Subscription): SubscriptionFilter {
  const now = nowIso()
  return {
    id: ulid(),
    project_id: sub.project_id,
    subscription_id: sub.id,
    event_type: '',
    body: {},
    headers: {},
    query: {},
    enabled_at: now,
    created_at: now,
    updated_at: now,
  }
}

/** One filter per event type: judged on the set as it would be after `changed` is written. */
function checkUniqueTypes(db: Db, sub: Subscription, changed: SubscriptionFilter[]): void {
  const typeById = new Map(listFilters(db, sub.project_id, sub.id).map((f) => [f.id, f.event_type]))
  for (const f of changed) typeById.set(f.id, f.event_type)
  const idByType = new Map<string, string>()
  for (const [id, type] of typeById) {
    const other = idByType.get(type)
    if (other !== undefined)
      throw badRequest(`event_type: subscription ${sub.id} would have two filters for "${type}" (one per event type)`)
    idByType.set(type, id)
  }
}

export function listFilters(db: Db, projectId: string, subscriptionId: string): SubscriptionFilter[] {
  return subscriptionFilters.find(db, ['project_id = ?', 'subscription_id = ?'], [projectId, subscriptionId])
}

export function requireFilter(db: Db, projectId: string, subscriptionId: string, id: string): SubscriptionFilter {
  requireSubscription(db, projectId, subscriptionId)
  const filter = subscriptionFilters.get(db, projectId, id)
  if (!filter || filter.subscription_id !== subscriptionId) throw notFound(`filter ${id}`)
  return filter
}

/** Create one filter or many (bulk): every item is checked before anything is written. */
export function createFilters(
  db: Db,
  projectId: string,
  subscriptionId: string,
  items: unknown[],
): SubscriptionFilter[] {
  const sub = requireSubscription(db, projectId, subscriptionId)
  if (items.length > MAX_BULK_FILTERS) throw badRequest(`at most ${MAX_BULK_FILTERS} filters per request`)
  const made = items.map((item, i) => {
    try {
      return readFilter(item, blankFilter(sub), {eventTypeRequired: true})
    } catch (error) {
      throw items.length > 1 && error instanceof HttpError ? badRequest(`[${i}].${error.message}`) : error
    }
  })
  return db.transaction(() => {
    checkUniqueTypes(db, sub, made)
    for (const f of made) subscriptionFilters.insert(db, f)
    return made
  })()
}

export function updateFilter(
  db: Db,
  projectId: string,
  subscriptionId: string,
  id: string,
  body: unknown,
): SubscriptionFilter {
  const current = requireFilter(db, projectId, subscriptionId, id)
  const next = readFilter(body, current, {eventTypeRequired: false})
  return db.transaction(() => {
    checkUniqueTypes(db, requireSubscription(db, projectId, subscriptionId), [next])
    return subscriptionFilters.update(db, next)
  })()
}

/** Convoy's bulk_update: items name their filter by `uid`; all are checked before any is written. */
export function bulkUpdateFilters(
  db: Db,
  projectId: string,
  subscriptionId: string,
  items: unknown[],
): SubscriptionFilter[] {
  const sub = requireSubscription(db, projectId, subscriptionId)
  if (items.length > MAX_BULK_FILTERS) throw badRequest(`at most ${MAX_BULK_FILTERS} filters per request`)
  const next = items.map((item, i) => {
    const uid = Input.of(item, `[${i}]`).str('uid', {required: true})
    const current = requireFilter(db, projectId, subscriptionId, uid)
    try {
      return readFilter(item, current, {eventTypeRequired: false})
    } catch (error) {
      throw error instanceof HttpError ? badRequest(`[${i}].${error.message}`) : error
    }
  })
  return db.transaction(() => {
    checkUniqueTypes(db, sub, next)
    for (const f of next) subscriptionFilters.update(db, f)
    return next
  })()
}

export function deleteFilter(db: Db, projectId: string, subscriptionId: string, id: string): void {
  requireFilter(db, projectId, subscriptionId, id)
  subscriptionFilters.remove(db, projectId, id)
}

/** Request scopes of the test routes: `header` or `headers`, `body` or a separate `payload`. */
function readTestRequest(request: Input | undefined, payload: unknown) {
  const headers = request?.record('headers') ?? request?.record('header') ?? {}
  const query = request?.record('query') ?? {}
  return {
    body: payload !== undefined ? payload : request?.raw('body'),
    headers: headers as Record<string, string | string[]>,
    query: query as Record<string, string | string[]>,
  }
}

/** Convoy's `filters/test/{eventType}`: would the subscription take this event, as the dispatcher decides? */
export function testSubscriptionFilter(
  db: Db,
  projectId: string,
  subscriptionId: string,
  eventType: string,
  body: unknown,
): boolean {
  const sub = requireSubscription(db, projectId, subscriptionId)
  const input = Input.of(body)
  const event = readTestRequest(input.obj_('request'), input.raw('payload'))
  return matchesSubscription(routableSubscription(sub, listFilters(db, projectId, sub.id)), {type: eventType, ...event})
}

/** Convoy's `subscriptions/test_filter`: does `request` match `schema` (body, header, query)? */
export function testFilter(body: unknown): boolean {
  const input = Input.of(body)
  const schema = input.obj_('schema')
  const scope = (name: string) => {
    const value = schema?.record(name)
    const problem = validateFilter(value, `schema.${name}`)
    if (problem) throw badRequest(problem)
    return value
  }
  const filter = {
    bodyFilter: scope('body'),
    headerFilter: scope('header') ?? scope('headers'),
    queryFilter: scope('query'),
  }
  const path = schema?.record('path')
  if (path && Object.keys(path).length > 0)
    throw badRequest('schema.path: path filters are not supported by Caravan (use body, header or query)')
  return matchesRoutableFilter(filter, readTestRequest(input.obj_('request'), undefined))
}

/** Convoy's toggle_status: active ↔ inactive. */
export function toggleSubscriptionStatus(db: Db, projectId: string, id: string): Subscription {
  const sub = requireSubscription(db, projectId, id)
  return subscriptions.update(db, {
    ...sub,
    status: sub.status === 'active' ? 'inactive' : 'active',
    updated_at: nowIso(),
  })
}
