import {badRequest, notFound} from '../errors.js'
import {mintLinkToken} from '../portal/access.js'
import {dropScopeTokens} from '../portal/tokens.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {endpoints, portalLinks} from '../store/resources.js'
import type {Endpoint, PortalLink} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {Input} from './input.js'

/** Said wherever a link's URL would be but its token cannot be shown again. */
export const TOKEN_SHOWN_ONCE_NOTE =
  "The link's token is stored only as a hash: it and the portal URL are shown once, when the link is created or its token refreshed (GET …/refresh_token mints a new one and ends the old)."

const AUTH_TYPES = ['static_token', 'refresh_token'] as const
const MAX_LINK_ENDPOINTS = 1000

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

/** A new link and its token (shown this once). */
export function createPortalLink(db: Db, projectId: string, body: unknown): {link: PortalLink; token: string} {
  const now = nowIso()
  const base: PortalLink = {
    id: ulid(),
    project_id: projectId,
    name: '',
    owner_id: '',
    endpoints: [],
    can_manage_endpoint: false,
    auth_type: 'static_token',
    token: '',
    auth_key: '',
    created_at: now,
    updated_at: now,
  }
  return db.transaction(() => {
    const link = portalLinks.insert(db, readLink(db, body, base))
    return {link, token: mintLinkToken(db, link)}
  })()
}

export function requirePortalLink(db: Db, projectId: string, id: string): PortalLink {
  const link = portalLinks.get(db, projectId, id)
  if (!link) throw notFound(`portal link ${id}`)
  return link
}

export function updatePortalLink(db: Db, projectId: string, id: string, body: unknown): PortalLink {
  return portalLinks.update(db, readLink(db, body, requirePortalLink(db, projectId, id)))
}

/** A new token for the link (Convoy's refresh_token); every earlier one stops working. */
export function refreshPortalToken(db: Db, projectId: string, id: string): {link: PortalLink; token: string} {
  return db.transaction(() => {
    const link = requirePortalLink(db, projectId, id)
    const token = mintLinkToken(db, link)
    return {link: portalLinks.update(db, {...link, updated_at: nowIso()}), token}
  })()
}

/** Revoking a link removes it (as in Convoy): it is no longer listed or found, and its sessions end. */
export function revokePortalLink(db: Db, projectId: string, id: string): void {
  db.transaction(() => {
    if (!portalLinks.remove(db, projectId, id)) throw notFound(`portal link ${id}`)
    dropScopeTokens(db, projectId, 'portal_link', id)
  })()
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
