import {badRequest, notFound} from '../errors.js'
import {validateEventTypePattern} from '../routing/event-type.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {endpoints, subscriptions} from '../store/resources.js'
import type {Endpoint, Project, Source, Subscription} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {newEndpointRecord} from './endpoints.js'
import {checkUrl, Input} from './input.js'
import {formatLocation, isProviderName, PROVIDERS} from '../ingest/providers.js'
import {createSource, findSourceByRef} from './sources.js'

export interface Listener {
  endpoint: Endpoint
  source: Source
  subscription: Subscription
}

export const LISTENER_PREFIX = 'listen:'

/**
 * A source `listen --source NAME` makes when none has that name. Named after a provider
 * (`github`, `stripe`, …), it reads the event type where that provider puts it, so the first
 * webhooks already show theirs; verifying needs the provider's secret (`sources update NAME
 * --provider NAME --secret …`).
 */
function newSourceBody(name: string): Record<string, unknown> {
  return isProviderName(name) ? {name, event_type_location: formatLocation(PROVIDERS[name].eventType)} : {name}
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
    const source = findSourceByRef(db, project.id, sourceRef) ?? createSource(db, project.id, newSourceBody(sourceRef))
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
        status: 'active',
        delivery_mode: 'at_least_once',
        rate_limit_config: null,
        function: '',
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

export interface RegisteredListener {
  listener_id: string
  name: string
  source: string
  source_id: string
  target: string
  event_types: string[]
  created_at: string
  /** When a listen was last connected (or registered); null if never. */
  last_seen_at: string | null
  /** Events queued for it (delivered when it connects again). */
  waiting: number
}

/** Every registered listener of a project (connected or not), oldest first. */
export function listRegisteredListeners(db: Db, projectId: string): RegisteredListener[] {
  const rows = db
    .prepare(
      `SELECT e.id, e.name, e.url, e.created_at, e.last_seen_at, s.source_id, src.name AS source_name, s.filter_config,
         (SELECT COUNT(*) FROM deliveries d WHERE d.endpoint_id = e.id AND d.mode = 'stream' AND d.status IN ('Scheduled', 'Retry')) AS waiting
       FROM endpoints e
       LEFT JOIN subscriptions s ON s.endpoint_id = e.id AND s.type = 'cli' AND s.deleted_at IS NULL
       LEFT JOIN sources src ON src.id = s.source_id
       WHERE e.project_id = ? AND e.kind = 'cli' AND e.deleted_at IS NULL
       ORDER BY e.id`,
    )
    .all(projectId) as {
    id: string
    name: string
    url: string
    created_at: string
    last_seen_at: string | null
    source_id: string | null
    source_name: string | null
    filter_config: string | null
    waiting: number
  }[]
  return rows.map((r) => ({
    listener_id: r.id,
    name: r.name.startsWith(LISTENER_PREFIX) ? r.name.slice(LISTENER_PREFIX.length) : r.name,
    source: r.source_name ?? '',
    source_id: r.source_id ?? '',
    target: r.url,
    event_types: r.filter_config
      ? ((JSON.parse(r.filter_config) as {event_types?: string[]}).event_types ?? ['*'])
      : ['*'],
    created_at: r.created_at,
    last_seen_at: r.last_seen_at,
    waiting: r.waiting,
  }))
}

/** A listener by id or name (with or without the `listen:` prefix). */
export function findListener(db: Db, projectId: string, ref: string): RegisteredListener | undefined {
  const all = listRegisteredListeners(db, projectId)
  return (
    all.find((l) => l.listener_id === ref) ?? all.find((l) => l.name === ref || `${LISTENER_PREFIX}${l.name}` === ref)
  )
}

/**
 * Remove a listener: its endpoint and subscription go, with the deliveries still waiting
 * for it (those it already tried are kept, as Discarded with the reason). Returns how many
 * waiting deliveries went.
 */
export function removeListener(db: Db, projectId: string, listenerId: string, reason: string): number {
  return db.transaction(() => {
    const now = nowIso()
    if (!endpoints.remove(db, projectId, listenerId)) throw notFound(`listener ${listenerId}`)
    db.prepare(
      `UPDATE subscriptions SET deleted_at = ? WHERE project_id = ? AND endpoint_id = ? AND deleted_at IS NULL`,
    ).run(now, projectId, listenerId)
    // Never tried: they never happened, and must not turn their events into failures.
    const dropped = db
      .prepare(
        `DELETE FROM deliveries WHERE endpoint_id = ? AND mode = 'stream' AND status = 'Scheduled' AND attempts = 0`,
      )
      .run(listenerId).changes
    const discarded = db
      .prepare(
        `UPDATE deliveries SET status = 'Discarded', description = ?, updated_at = ? WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry')`,
      )
      .run(reason, now, listenerId).changes
    return dropped + discarded
  })()
}

/** A listen connected or went away: remember when, for expiry and `listeners list`. */
export function touchListener(db: Db, listenerId: string, at = nowIso()): void {
  db.prepare(`UPDATE endpoints SET last_seen_at = ? WHERE id = ? AND kind = 'cli'`).run(at, listenerId)
}

/** Listeners not connected and not seen since `cutoff` (ISO), across projects. */
export function staleListeners(db: Db, cutoff: string): {id: string; project_id: string; name: string}[] {
  return db
    .prepare(
      `SELECT id, project_id, name FROM endpoints
       WHERE kind = 'cli' AND deleted_at IS NULL AND COALESCE(last_seen_at, updated_at) < ?`,
    )
    .all(cutoff) as {id: string; project_id: string; name: string}[]
}
