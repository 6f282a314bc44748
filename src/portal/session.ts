import {portalLinkEndpoints} from '../core/portal-links.js'
import {HttpError} from '../errors.js'
import type {Db} from '../store/db.js'
import {getProject} from '../store/projects.js'
import {endpoints, portalLinks, svixApps} from '../store/resources.js'
import type {Endpoint, PortalLink, PortalToken, Project, SvixApp} from '../store/types.js'
import {CAPABILITIES, type Capability, findPortalToken, MUTATING} from './tokens.js'

/** What a portal token opens: one application or one portal link, with what it may do there. */
export type PortalSession = {
  project: Project
  token: PortalToken
  capabilities: Set<Capability>
  readOnly: boolean
} & ({kind: 'svix_app'; app: SvixApp} | {kind: 'portal_link'; link: PortalLink})

/** The stored capabilities this server knows (ManageTransformations grants nothing here). */
export function svixCapabilities(given: string[]): Capability[] {
  return CAPABILITIES.filter((c) => given.includes(c))
}

/** A Convoy link sees its endpoints and their secrets; can_manage_endpoint adds every change. */
export function linkCapabilities(link: PortalLink): Capability[] {
  return link.can_manage_endpoint ? [...CAPABILITIES] : ['ViewBase', 'ViewEndpointSecret']
}

/**
 * The session a Bearer portal token opens, or 401: unknown or revoked, expired, or its
 * application, link or project gone. Capabilities of a link are read from the link now, so
 * changing can_manage_endpoint applies to open sessions at once.
 */
export function openPortalSession(db: Db, token: string | undefined, now = Date.now()): PortalSession {
  if (!token) throw new HttpError(401, 'missing portal token: send "Authorization: Bearer <token>"')
  const row = findPortalToken(db, token)
  if (!row) throw new HttpError(401, 'invalid portal token: it was revoked, refreshed or never issued')
  if (row.expires_at !== null && row.expires_at <= now) throw new HttpError(401, 'session expired')
  const project = getProject(db, row.project_id)
  if (!project) throw new HttpError(401, 'session expired: its project no longer exists')
  const base = {project, token: row}
  const finish = (caps: Capability[]) => {
    const set = new Set(caps)
    if (row.read_only) for (const c of MUTATING) set.delete(c)
    return {capabilities: set, readOnly: row.read_only}
  }
  if (row.kind === 'svix_app') {
    const app = svixApps.get(db, project.id, row.scope_id)
    if (!app) throw new HttpError(401, 'session expired: the application no longer exists')
    return {...base, kind: 'svix_app', app, ...finish(svixCapabilities(row.capabilities))}
  }
  const link = portalLinks.get(db, project.id, row.scope_id)
  if (!link) throw new HttpError(401, 'session expired: the portal link was revoked')
  return {...base, kind: 'portal_link', link, ...finish(linkCapabilities(link))}
}

export function requireCapability(session: PortalSession, capability: Capability): void {
  if (session.capabilities.has(capability)) return
  const why = session.readOnly && MUTATING.includes(capability) ? 'this portal session is read-only' : ''
  throw new HttpError(403, `not allowed: ${why || `this portal session lacks the ${capability} capability`}`)
}

/** The endpoints the session covers. */
export function scopeEndpoints(db: Db, session: PortalSession): Endpoint[] {
  if (session.kind === 'portal_link') return portalLinkEndpoints(db, session.link)
  return endpoints.find(
    db,
    ['project_id = ?', 'owner_id = ?', 'svix IS NOT NULL'],
    [session.project.id, session.app.id],
  )
}

/** One endpoint of the scope; anything else (another app's, another owner's, none) is 404 alike. */
export function scopeEndpoint(db: Db, session: PortalSession, id: string): Endpoint {
  const endpoint = endpoints.get(db, session.project.id, id)
  const inScope =
    endpoint !== undefined &&
    (session.kind === 'svix_app'
      ? endpoint.owner_id === session.app.id && Boolean(endpoint.svix)
      : endpoint.kind === 'http' &&
        ((session.link.owner_id !== '' && endpoint.owner_id === session.link.owner_id) ||
          session.link.endpoints.includes(endpoint.id)))
  if (!endpoint || !inScope) throw new HttpError(404, `endpoint ${id.slice(0, 100)} not found`)
  return endpoint
}

export function scopeName(session: PortalSession): string {
  return session.kind === 'svix_app' ? session.app.name : session.link.name
}
