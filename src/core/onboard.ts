import {badRequest, HttpError} from '../errors.js'
import {validateEventTypePattern} from '../routing/event-type.js'
import type {Db} from '../store/db.js'
import {endpoints} from '../store/resources.js'
import {createEndpoint, type TargetCheck} from './endpoints.js'
import {Input} from './input.js'
import {createSubscription} from './subscriptions.js'

/** Items in one onboarding request; clients send larger files in batches (caravan endpoints import does). */
export const MAX_ONBOARD_ITEMS = 1000

export interface OnboardSkip {
  /** The item's position in the request, from 1. */
  row: number
  field: string
  message: string
}

export interface OnboardResult {
  total: number
  created: {row: number; endpoint_id: string; subscription_id: string}[]
  skipped: OnboardSkip[]
}

class DryRun extends Error {
  constructor(readonly result: OnboardResult) {
    super('dry run')
  }
}

/** `url must be …` → `url`; `authentication.basic_auth.password is required` → that path. */
function fieldOf(message: string): string {
  return /^([a-z_][\w.[\]]*)(?=[: ])/i.exec(message)?.[1] ?? ''
}

/** One item → an endpoint (with basic auth when given) and a subscription to its event type. */
function onboardItem(db: Db, projectId: string, item: unknown, targets?: TargetCheck) {
  const input = Input.of(item, '')
  const name = input.str('name', {required: true, max: 200})
  const url = input.url('url', {required: true})
  const eventType = input.str('event_type', {max: 500}) || '*'
  const problem = validateEventTypePattern(eventType)
  if (problem) throw badRequest(`event_type: ${problem}`)
  const username = input.str('auth_username', {max: 500})
  const password = input.str('auth_password', {max: 500})
  if ((username === undefined) !== (password === undefined))
    throw badRequest(`${username === undefined ? 'auth_username' : 'auth_password'} is required with the other`)
  if (endpoints.find(db, ['project_id = ?', `kind = 'http'`, 'url = ?'], [projectId, url]).length > 0)
    throw badRequest(`url: an endpoint for ${url} exists already`)
  const endpoint = createEndpoint(
    db,
    projectId,
    {name, url, ...(username ? {authentication: {type: 'basic_auth', basic_auth: {username, password}}} : {})},
    targets,
  )
  const subscription = createSubscription(db, projectId, {
    name: `${name} subscription`.slice(0, 200),
    endpoint_id: endpoint.id,
    filter_config: {event_types: [eventType]},
  })
  return {endpoint_id: endpoint.id, subscription_id: subscription.id}
}

/**
 * Convoy's bulk onboarding: each valid item becomes an endpoint and its subscription; an
 * invalid one (or one whose URL has an endpoint already) is skipped with the reason. A dry
 * run does exactly the same in a transaction it rolls back, so it reports what a real run would.
 */
export function onboard(db: Db, projectId: string, body: unknown, opts: {dryRun: boolean; targets?: TargetCheck}) {
  const items = Input.of(body).raw('items')
  if (!Array.isArray(items) || items.length === 0) throw badRequest('items is required: a non-empty array')
  if (items.length > MAX_ONBOARD_ITEMS)
    throw badRequest(`items: at most ${MAX_ONBOARD_ITEMS} per request (got ${items.length}); send them in batches`)
  const run = (): OnboardResult => {
    const result: OnboardResult = {total: items.length, created: [], skipped: []}
    for (const [i, item] of items.entries()) {
      try {
        // A savepoint per item: a failed one leaves nothing behind.
        result.created.push({row: i + 1, ...db.transaction(() => onboardItem(db, projectId, item, opts.targets))()})
      } catch (error) {
        if (!(error instanceof HttpError)) throw error
        const message = error.message.replace(/^request body/, 'item')
        result.skipped.push({row: i + 1, field: fieldOf(message), message})
      }
    }
    if (opts.dryRun) throw new DryRun(result)
    return result
  }
  try {
    return db.transaction(run)()
  } catch (error) {
    if (error instanceof DryRun) return error.result
    throw error
  }
}
