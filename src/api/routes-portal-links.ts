import * as linksCore from '../core/portal-links.js'
import type {Db} from '../store/db.js'
import type {PortalLink} from '../store/types.js'
import {type ApiContext, type AuthedRequest, pageJson, pageQuery} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'
import {endpointJson} from './serialize.js'

type R = Router<ApiContext>

/**
 * Convoy's PortalLinkResponse. There is no web portal to open yet, so `url` is empty and
 * `portal_note` (a Caravan extension) says why, rather than a link that leads nowhere.
 */
export function portalLinkJson(db: Db, link: PortalLink) {
  const covered = linksCore.portalLinkEndpoints(db, link)
  return {
    uid: link.id,
    project_id: link.project_id,
    name: link.name,
    owner_id: link.owner_id,
    endpoints: covered.map((e) => e.id),
    endpoint_count: covered.length,
    endpoints_metadata: covered.map((e) => endpointJson(e)),
    can_manage_endpoint: link.can_manage_endpoint,
    auth_type: link.auth_type,
    token: link.token,
    auth_key: link.auth_key,
    url: '',
    portal_note: linksCore.NO_PORTAL_NOTE,
    created_at: link.created_at,
    updated_at: link.updated_at,
    deleted_at: null,
  }
}

const NOTE = ' (no web portal yet: see portal_note)'

export function addPortalLinkRoutes(router: R): void {
  const pl = '/api/v1/projects/:projectID/portal-links'
  router
    .add('GET', pl, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const page = linksCore.listPortalLinks(ctx.db, project.id, pageQuery(r.query), {
        ownerId: r.query.get('ownerId') || undefined,
        q: r.query.get('q') || undefined,
      })
      return {
        status: 200,
        message: 'Portal links fetched successfully',
        data: pageJson(page, (x) => portalLinkJson(ctx.db, x)),
      }
    })
    .add('POST', pl, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const link = linksCore.createPortalLink(ctx.db, project.id, r.body)
      return {status: 201, message: `Portal link created successfully${NOTE}`, data: portalLinkJson(ctx.db, link)}
    })
    .add('GET', `${pl}/:portalLinkID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const link = linksCore.requirePortalLink(ctx.db, project.id, r.params.portalLinkID)
      return {status: 200, message: `Portal link fetched successfully${NOTE}`, data: portalLinkJson(ctx.db, link)}
    })
    .add('PUT', `${pl}/:portalLinkID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const link = linksCore.updatePortalLink(ctx.db, project.id, r.params.portalLinkID, r.body)
      return {status: 202, message: `Portal link updated successfully${NOTE}`, data: portalLinkJson(ctx.db, link)}
    })
    .add('GET', `${pl}/:portalLinkID/refresh_token`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const link = linksCore.refreshPortalToken(ctx.db, project.id, r.params.portalLinkID)
      return {status: 200, message: 'Portal link auth token refreshed successfully', data: link.auth_key}
    })
    .add('PUT', `${pl}/:portalLinkID/revoke`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      linksCore.revokePortalLink(ctx.db, project.id, r.params.portalLinkID)
      return {status: 200, message: 'Portal link revoked successfully'}
    })
}
