import {badRequest} from '../errors.js'
import type {Db} from '../store/db.js'
import {endpoints, subscriptions} from '../store/resources.js'
import type {Endpoint, Project, Subscription} from '../store/types.js'
import {createEndpoint, type TargetCheck} from './endpoints.js'
import {readCreateEvent, storeEvent, type StoredEvent} from './events.js'
import {Input} from './input.js'
import {createSubscription} from './subscriptions.js'

export interface DynamicEventResult extends StoredEvent {
  endpoint: Endpoint
  subscription: Subscription
  /** Whether the endpoint and subscription were made for this event (false: reused). */
  created: {endpoint: boolean; subscription: boolean}
}

/**
 * Convoy's dynamic event: deliver `data` to `url`, reusing the project's endpoint for that
 * URL (and its subscription) or creating both, all in one transaction with the event.
 */
export function storeDynamicEvent(db: Db, project: Project, body: unknown, targets?: TargetCheck): DynamicEventResult {
  const input = Input.of(body)
  const url = input.url('url', {required: true})
  const eventTypes = input.strings('event_types')
  const secret = input.str('secret', {max: 500})
  const data = input.raw('data')
  // The rest of the body is an ordinary event; its endpoint is filled in below.
  const eventBody = {
    event_type: input.str('event_type') ?? eventTypes?.[0] ?? '*',
    data: data === undefined || data === null ? {} : data,
    custom_headers: input.record('custom_headers'),
    idempotency_key: input.str('idempotency_key'),
  }
  return db.transaction((): DynamicEventResult => {
    let endpoint = endpoints.find(db, ['project_id = ?', `kind = 'http'`, 'url = ?'], [project.id, url])[0]
    const madeEndpoint = !endpoint
    if (!endpoint) {
      const name = `dynamic ${new URL(url).host}`.slice(0, 200)
      endpoint = createEndpoint(db, project.id, {name, url, ...(secret ? {secret} : {})}, targets)
    } else if (endpoint.status === 'inactive') {
      throw badRequest(`url: the endpoint for ${url} (${endpoint.id}) is disabled; activate it first`)
    }
    let subscription = subscriptions.find(db, ['project_id = ?', 'endpoint_id = ?'], [project.id, endpoint.id])[0]
    const madeSubscription = !subscription
    if (!subscription) {
      subscription = createSubscription(db, project.id, {
        name: `${endpoint.name} subscription`.slice(0, 200),
        endpoint_id: endpoint.id,
        filter_config: {event_types: eventTypes?.length ? eventTypes : ['*']},
      })
    }
    const parsed = readCreateEvent({...eventBody, endpoint_id: endpoint.id}, 'endpoint')
    const stored = storeEvent(db, project, parsed)
    return {
      ...stored,
      endpoint,
      subscription,
      created: {endpoint: madeEndpoint, subscription: madeSubscription},
    }
  })()
}
