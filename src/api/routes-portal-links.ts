import * as linksCore from '../core/portal-links.js'
import {portalUrl} from '../portal/access.js'
import type {Db} from '../store/db.js'
import type {PortalLink} from '../store/types.js'
import {type ApiContext, type AuthedRequest, pageJson, pageQuery} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'
import {endpointJson} from './serialize.js'

type R = Router<ApiContext>

/**
 * Convoy's PortalLinkResponse. The token is kept only as a hash, so `token` and `url` carry
 * it only in the answer that minted it (create, and refresh_token's own answer); elsewhere
 * they are empty and `portal_note` (a Caravan extension) says why and how to get a new one.
 */
export function portalLinkJson(db: Db, link: PortalLink, minted?: {token: string; baseUrl: string}) {
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
    token: minted?.token ?? '',
    auth_key: '',
    url: minted ? portalUrl(minted.baseUrl, minted.token) : '',
    ...(minted ? {} : {portal_note: linksCore.TOKEN_SHOWN_ONCE_NOTE}),
    created_at: link.created_at,
    updated_at: link.updated_at,
    deleted_at: null,
  }
}

const NOTE = ' (token and url are shown only when minted: see portal_note)'

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
    .add('POST', pl, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const {link, token} = await ctx.write(() => linksCore.createPortalLink(ctx.db, project.id, r.body))
      return {
        status: 201,
        message: 'Portal link created successfully',
        data: portalLinkJson(ctx.db, link, {token, baseUrl: ctx.baseUrl()}),
      }
    })
    .add('GET', `${pl}/:portalLinkID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const link = linksCore.requirePortalLink(ctx.db, project.id, r.params.portalLinkID)
      return {status: 200, message: `Portal link fetched successfully${NOTE}`, data: portalLinkJson(ctx.db, link)}
    })
    .add('PUT', `${pl}/:portalLinkID`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const link = await ctx.write(() => linksCore.updatePortalLink(ctx.db, project.id, r.params.portalLinkID, r.body))
      return {status: 202, message: `Portal link updated successfully${NOTE}`, data: portalLinkJson(ctx.db, link)}
    })
    // Convoy answers the new token alone; the message names the portal URL that opens it.
    .add('GET', `${pl}/:portalLinkID/refresh_token`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const {token} = await ctx.write(() => linksCore.refreshPortalToken(ctx.db, project.id, r.params.portalLinkID))
      return {
        status: 200,
        message: `Portal link auth token refreshed successfully; the portal opens at ${portalUrl(ctx.baseUrl(), token)}`,
        data: token,
      }
    })
    .add('PUT', `${pl}/:portalLinkID/revoke`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      await ctx.write(() => linksCore.revokePortalLink(ctx.db, project.id, r.params.portalLinkID))
      return {status: 200, message: 'Portal link revoked successfully'}
    })
}
