import {badRequest} from '../errors.js'
import {validateEventTypePattern} from '../routing/event-type.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {endpoints, sources, subscriptions} from '../store/resources.js'
import type {Endpoint, Project, Source, Subscription} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {newEndpointRecord} from './endpoints.js'
import {checkUrl, Input} from './input.js'
import {createSource} from './sources.js'

export interface Listener {
  endpoint: Endpoint
  source: Source
  subscription: Subscription
}

export const LISTENER_PREFIX = 'listen:'

function findSource(db: Db, projectId: string, ref: string): Source | undefined {
  return sources.get(db, projectId, ref) ?? sources.find(db, ['project_id = ?', 'name = ?'], [projectId, ref])[0]
}

/**
 * Register (or resume) a `caravan listen`: a cli endpoint named after the listener and a
 * cli subscription from its source. The same name finds the same endpoint again, so a
 * restarted listener gets the events that arrived while it was away.
 */
export function registerListener(db: Db, project: Project, body: unknown): Listener {
  const input = Input.of(body)
  const name = input.str('name', {required: true, max: 300})
  const sourceRef = input.str('source', {max: 200}) ?? 'default'
  const target = checkUrl(input.str('target', {required: true}), 'target')
  const eventTypes = input.strings('event_types') ?? ['*']
  eventTypes.forEach((pattern, i) => {
    const problem = validateEventTypePattern(pattern)
    if (problem) throw badRequest(`event_types[${i}]: ${problem}`)
  })
  return db.transaction((): Listener => {
    const source = findSource(db, project.id, sourceRef) ?? createSource(db, project.id, {name: sourceRef})
    const now = nowIso()
    const endpoint = ensureCliEndpoint(
      db,
      project.id,
      `${LISTENER_PREFIX}${name}`,
      target,
      `caravan listen from source ${source.name}`,
    )
    const filter = {event_types: eventTypes, filter: {body: {}, headers: {}}}
    let subscription = subscriptions.find(
      db,
      ['project_id = ?', 'endpoint_id = ?', 'type = ?'],
      [project.id, endpoint.id, 'cli'],
    )[0]
    if (subscription) {
      subscription = subscriptions.update(db, {
        ...subscription,
        source_id: source.id,
        filter_config: filter,
        updated_at: now,
      })
    } else {
      subscription = subscriptions.insert(db, {
        id: ulid(),
        project_id: project.id,
        name: endpoint.name,
        type: 'cli',
        endpoint_id: endpoint.id,
        source_id: source.id,
        filter_config: filter,
        created_at: now,
        updated_at: now,
      })
    }
    return {endpoint, source, subscription}
  })()
}

/** The cli endpoint with this name, created or pointed at `target`. */
export function ensureCliEndpoint(
  db: Db,
  projectId: string,
  endpointName: string,
  target: string,
  description: string,
): Endpoint {
  const now = nowIso()
  const existing = endpoints.find(db, ['project_id = ?', 'kind = ?', 'name = ?'], [projectId, 'cli', endpointName])[0]
  if (existing) return endpoints.update(db, {...existing, url: target, status: 'active', updated_at: now})
  return endpoints.insert(db, newEndpointRecord(projectId, {kind: 'cli', name: endpointName, url: target, description}))
}
