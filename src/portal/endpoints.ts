import {createEndpoint, deleteEndpoint, expireSecret, type TargetCheck, updateEndpoint} from '../core/endpoints.js'
import {Input} from '../core/input.js'
import {createSubscription} from '../core/subscriptions.js'
import {badRequest} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {portalLinks, subscriptions} from '../store/resources.js'
import type {Endpoint} from '../store/types.js'
import {
  createSvixEndpoint,
  liveSecret,
  rotateSvixSecret,
  type SvixEndpointFields,
  updateSvixEndpoint,
} from '../svix/endpoints.js'
import type {PortalSession} from './session.js'

/** What the portal's endpoint form sends. */
export interface PortalEndpointFields {
  url?: string
  description?: string
  disabled?: boolean
  /** Event types the endpoint receives; null: all. */
  filterTypes?: string[] | null
}

export function readEndpointFields(body: unknown, create: boolean): PortalEndpointFields {
  const input = Input.of(body)
  const fields: PortalEndpointFields = {
    url: create ? input.url('url', {required: true}) : input.url('url'),
    description: input.str('description', {max: 2000}),
    disabled: input.bool('disabled'),
  }
  if (input.has('filterTypes')) {
    const types = input.raw('filterTypes') === null ? null : (input.strings('filterTypes') ?? null)
    if (types && types.length > 100) throw badRequest('filterTypes: at most 100 event types')
    if (types?.some((t) => !/^[a-zA-Z0-9_.*-]{1,256}$/.test(t)))
      throw badRequest('filterTypes: event type names are letters, digits and . _ - (or *)')
    fields.filterTypes = types && types.length && !types.includes('*') ? types : null
  }
  return fields
}

/** The event types a Convoy endpoint receives, from its subscriptions (null: all of them). */
function convoyFilterTypes(db: Db, endpoint: Endpoint): string[] | null {
  const subs = subscriptions.find(db, ['project_id = ?', 'endpoint_id = ?'], [endpoint.project_id, endpoint.id])
  const types = [...new Set(subs.flatMap((s) => s.filter_config.event_types))]
  return types.length === 0 || types.includes('*') ? null : types
}

/** The portal's view of an endpoint: the same for Svix and Convoy scopes. */
export function portalEndpointJson(db: Db, endpoint: Endpoint) {
  return {
    id: endpoint.id,
    uid: endpoint.svix?.uid ?? null,
    url: endpoint.url,
    description: endpoint.description,
    disabled: endpoint.status !== 'active',
    status: endpoint.status,
    filter_types: endpoint.svix ? (endpoint.svix.filterTypes ?? null) : convoyFilterTypes(db, endpoint),
    created_at: endpoint.created_at,
    updated_at: endpoint.updated_at,
  }
}

const svixFields = (f: PortalEndpointFields): SvixEndpointFields => ({
  url: f.url,
  description: f.description,
  disabled: f.disabled,
  filterTypes: f.filterTypes,
})

const convoyBody = (f: PortalEndpointFields) => ({
  url: f.url,
  description: f.description,
  is_disabled: f.disabled,
})

/** Creates the endpoint in the scope: the app's, or the link's owner's (else listed on the link). */
export function createScopeEndpoint(
  db: Db,
  session: PortalSession,
  fields: PortalEndpointFields,
  targets?: TargetCheck,
): Endpoint {
  if (session.kind === 'svix_app')
    return createSvixEndpoint(db, session.app, svixFields(fields) as SvixEndpointFields & {url: string}, targets)
  const link = session.link
  return db.transaction(() => {
    const endpoint = createEndpoint(
      db,
      link.project_id,
      {...convoyBody(fields), name: (fields.description || fields.url || '').slice(0, 200), owner_id: link.owner_id},
      targets,
    )
    // A Convoy endpoint receives what a subscription routes to it.
    createSubscription(db, link.project_id, {
      name: `portal ${endpoint.id}`,
      endpoint_id: endpoint.id,
      filter_config: {event_types: fields.filterTypes ?? ['*']},
    })
    if (!link.owner_id)
      portalLinks.update(db, {...link, endpoints: [...link.endpoints, endpoint.id], updated_at: nowIso()})
    return endpoint
  })()
}

export function updateScopeEndpoint(
  db: Db,
  session: PortalSession,
  endpoint: Endpoint,
  fields: PortalEndpointFields,
  targets?: TargetCheck,
): Endpoint {
  if (session.kind === 'svix_app') return updateSvixEndpoint(db, session.app, endpoint, svixFields(fields), targets)
  return db.transaction(() => {
    const updated = updateEndpoint(db, endpoint.project_id, endpoint.id, convoyBody(fields), targets)
    if (fields.filterTypes !== undefined) {
      const now = nowIso()
      for (const sub of subscriptions.find(
        db,
        ['project_id = ?', 'endpoint_id = ?'],
        [endpoint.project_id, endpoint.id],
      ))
        subscriptions.update(db, {
          ...sub,
          filter_config: {...sub.filter_config, event_types: fields.filterTypes ?? ['*']},
          updated_at: now,
        })
    }
    return updated
  })()
}

export function deleteScopeEndpoint(db: Db, session: PortalSession, endpoint: Endpoint): void {
  db.transaction(() => {
    deleteEndpoint(db, endpoint.project_id, endpoint.id)
    if (session.kind === 'portal_link' && session.link.endpoints.includes(endpoint.id))
      portalLinks.update(db, {
        ...session.link,
        endpoints: session.link.endpoints.filter((id) => id !== endpoint.id),
        updated_at: nowIso(),
      })
  })()
}

export function scopeSecret(endpoint: Endpoint): string | undefined {
  return liveSecret(endpoint)?.value
}

/** A new secret; the old one keeps signing beside it for a day, as Svix's rotation does. */
export function rotateScopeSecret(db: Db, endpoint: Endpoint): Endpoint {
  return endpoint.svix
    ? rotateSvixSecret(db, endpoint, {})
    : expireSecret(db, endpoint.project_id, endpoint.id, {expiration: 24})
}
