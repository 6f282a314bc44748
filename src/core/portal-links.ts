import {randomBytes} from 'node:crypto'

import {badRequest, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {endpoints, portalLinks} from '../store/resources.js'
import type {Endpoint, PortalLink} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {Input} from './input.js'

/** Said wherever a link's URL would be: there is no web portal to open yet. */
export const NO_PORTAL_NOTE =
  'Caravan has no web portal yet, so portal links have no URL: the link, its token and its endpoints are stored for clients that manage them; manage the endpoints with the API or the caravan CLI.'

const AUTH_TYPES = ['static_token', 'refresh_token'] as const
const MAX_LINK_ENDPOINTS = 1000

const newToken = () => `PRT.${randomBytes(24).toString('base64url')}`

function readLink(db: Db, body: unknown, base: PortalLink): PortalLink {
  const input = Input.of(body)
  const endpointIds = input.strings('endpoints') ?? base.endpoints
  if (endpointIds.length > MAX_LINK_ENDPOINTS) throw badRequest(`endpoints: at most ${MAX_LINK_ENDPOINTS} endpoints`)
  for (const id of endpointIds) {
    if (!endpoints.get(db, base.project_id, id)) throw badRequest(`endpoints: endpoint ${id} not found in this project`)
  }
  const link: PortalLink = {
    ...base,
    name: input.str('name', {max: 200}) ?? base.name,
    owner_id: input.has('owner_id') ? (input.str('owner_id', {max: 200}) ?? '') : base.owner_id,
    endpoints: [...new Set(endpointIds)],
    can_manage_endpoint: input.bool('can_manage_endpoint') ?? base.can_manage_endpoint,
    auth_type: (input.str('auth_type', {oneOf: AUTH_TYPES}) as PortalLink['auth_type'] | undefined) ?? base.auth_type,
    updated_at: nowIso(),
  }
  if (!link.name) throw badRequest('name is required')
  if (!link.owner_id && link.endpoints.length === 0)
    throw badRequest('owner_id or endpoints is required: a portal link covers an owner or a list of endpoints')
  return link
}

export function createPortalLink(db: Db, projectId: string, body: unknown): PortalLink {
  const now = nowIso()
  const base: PortalLink = {
    id: ulid(),
    project_id: projectId,
    name: '',
    owner_id: '',
    endpoints: [],
    can_manage_endpoint: false,
    auth_type: 'static_token',
    token: newToken(),
    auth_key: '',
    created_at: now,
    updated_at: now,
  }
  return portalLinks.insert(db, readLink(db, body, base))
}

export function requirePortalLink(db: Db, projectId: string, id: string): PortalLink {
  const link = portalLinks.get(db, projectId, id)
  if (!link) throw notFound(`portal link ${id}`)
  return link
}

export function updatePortalLink(db: Db, projectId: string, id: string, body: unknown): PortalLink {
  return portalLinks.update(db, readLink(db, body, requirePortalLink(db, projectId, id)))
}

/** A new auth key for the link (Convoy's refresh_token); the previous one stops being the link's. */
export function refreshPortalToken(db: Db, projectId: string, id: string): PortalLink {
  const link = requirePortalLink(db, projectId, id)
  return portalLinks.update(db, {...link, auth_key: newToken(), updated_at: nowIso()})
}

/** Revoking a link removes it (as in Convoy): it is no longer listed or found. */
export function revokePortalLink(db: Db, projectId: string, id: string): void {
  if (!portalLinks.remove(db, projectId, id)) throw notFound(`portal link ${id}`)
}

export function listPortalLinks(db: Db, projectId: string, page: PageQuery, filter: {ownerId?: string; q?: string}) {
  const where = ['project_id = ?']
  const params: unknown[] = [projectId]
  if (filter.ownerId) {
    where.push('owner_id = ?')
    params.push(filter.ownerId)
  }
  if (filter.q) {
    where.push(`name LIKE ? ESCAPE '\\'`)
    params.push(`%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`)
  }
  return portalLinks.page(db, where, params, page)
}

/** The endpoints a link covers: its owner's, plus any listed by id. */
export function portalLinkEndpoints(db: Db, link: PortalLink): Endpoint[] {
  const byOwner = link.owner_id
    ? endpoints.find(db, ['project_id = ?', `kind = 'http'`, 'owner_id = ?'], [link.project_id, link.owner_id])
    : []
  const listed = link.endpoints
    .map((id) => endpoints.get(db, link.project_id, id))
    .filter((e): e is Endpoint => e !== undefined && !byOwner.some((o) => o.id === e.id))
  return [...byOwner, ...listed]
}
