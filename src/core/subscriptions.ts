import {badRequest, notFound} from '../errors.js'
import {validateEventTypePattern} from '../routing/event-type.js'
import {validateFilter} from '../routing/filter.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {endpoints, sources, subscriptions} from '../store/resources.js'
import type {FilterConfig, Subscription} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {type FunctionChecks, NO_FUNCTIONS, readFunction} from './functions.js'
import {Input} from './input.js'

function readFilterConfig(input: Input | undefined, base: FilterConfig): FilterConfig {
  if (!input) return base
  const eventTypes = input.strings('event_types') ?? base.event_types
  for (const [i, pattern] of eventTypes.entries()) {
    const problem = validateEventTypePattern(pattern)
    if (problem) throw badRequest(`${input.field('event_types')}[${i}]: ${problem}`)
  }
  const filter = input.obj_('filter')
  const body = filter?.record('body') ?? base.filter.body
  const headers = filter?.record('headers') ?? base.filter.headers
  const field = input.field('filter')
  const problem = validateFilter(body, `${field}.body`) ?? validateFilter(headers, `${field}.headers`)
  if (problem) throw badRequest(problem)
  return {event_types: eventTypes.length ? eventTypes : ['*'], filter: {body, headers}}
}

const DELIVERY_MODES = ['at_least_once', 'at_most_once'] as const

/** Convoy's delivery_mode ('' means the default, at_least_once). */
function readDeliveryMode(input: Input, base: Subscription['delivery_mode']): Subscription['delivery_mode'] {
  return (input.str('delivery_mode', {oneOf: DELIVERY_MODES}) as Subscription['delivery_mode'] | undefined) ?? base
}

/** Convoy's rate_limit_config: `count` deliveries per `duration` seconds; null or a zero count removes it. */
function readRateLimit(input: Input, base: Subscription['rate_limit_config']): Subscription['rate_limit_config'] {
  if (input.raw('rate_limit_config') === null) return null
  const config = input.obj_('rate_limit_config')
  if (!config) return base
  const count = config.int('count', {min: 0, max: 1_000_000}) ?? 0
  const duration = config.int('duration', {min: 0, max: 86_400}) ?? 0
  if (count === 0) return null
  if (duration === 0) throw badRequest(`${config.field('duration')} must be at least 1 (seconds) when count is set`)
  return {count, duration}
}

function checkReferences(db: Db, projectId: string, sub: Subscription): void {
  if (sub.endpoint_id && !endpoints.get(db, projectId, sub.endpoint_id)) {
    throw badRequest(`endpoint_id: endpoint ${sub.endpoint_id} not found in this project`)
  }
  if (sub.source_id && !sources.get(db, projectId, sub.source_id)) {
    throw badRequest(`source_id: source ${sub.source_id} not found in this project`)
  }
}

/** `checks`: the sandbox's verdicts on the body's function (checkFunctions); none refuses a function. */
export function createSubscription(
  db: Db,
  projectId: string,
  body: unknown,
  checks: FunctionChecks = NO_FUNCTIONS,
): Subscription {
  const input = Input.of(body)
  const now = nowIso()
  const sub: Subscription = {
    id: ulid(),
    project_id: projectId,
    name: input.str('name', {required: true, max: 200}),
    type: 'api',
    status: 'active',
    delivery_mode: readDeliveryMode(input, 'at_least_once'),
    rate_limit_config: readRateLimit(input, null),
    function: readFunction(input, 'function', '', checks),
    endpoint_id: input.str('endpoint_id', {required: true}),
    source_id: input.str('source_id') ?? null,
    filter_config: readFilterConfig(input.obj_('filter_config'), {event_types: ['*'], filter: {body: {}, headers: {}}}),
    created_at: now,
    updated_at: now,
  }
  checkReferences(db, projectId, sub)
  return subscriptions.insert(db, sub)
}

export function requireSubscription(db: Db, projectId: string, id: string): Subscription {
  const sub = subscriptions.get(db, projectId, id)
  if (!sub) throw notFound(`subscription ${id}`)
  return sub
}

export function updateSubscription(
  db: Db,
  projectId: string,
  id: string,
  body: unknown,
  checks: FunctionChecks = NO_FUNCTIONS,
): Subscription {
  const current = requireSubscription(db, projectId, id)
  const input = Input.of(body)
  const next: Subscription = {
    ...current,
    name: input.str('name', {max: 200}) ?? current.name,
    endpoint_id: input.str('endpoint_id') ?? current.endpoint_id,
    source_id: input.str('source_id') ?? current.source_id,
    filter_config: readFilterConfig(input.obj_('filter_config'), current.filter_config),
    delivery_mode: readDeliveryMode(input, current.delivery_mode),
    rate_limit_config: readRateLimit(input, current.rate_limit_config),
    function: readFunction(input, 'function', current.function, checks),
    updated_at: nowIso(),
  }
  checkReferences(db, projectId, next)
  return subscriptions.update(db, next)
}

export function deleteSubscription(db: Db, projectId: string, id: string): void {
  if (!subscriptions.remove(db, projectId, id)) throw notFound(`subscription ${id}`)
}

export function listSubscriptions(
  db: Db,
  projectId: string,
  page: PageQuery,
  filter: {endpointId?: string; name?: string},
) {
  const where = ['project_id = ?']
  const params: unknown[] = [projectId]
  if (filter.endpointId) {
    where.push('endpoint_id = ?')
    params.push(filter.endpointId)
  }
  if (filter.name) {
    where.push('name = ?')
    params.push(filter.name)
  }
  return subscriptions.page(db, where, params, page)
}
