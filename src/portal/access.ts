import type {Db} from '../store/db.js'
import type {PortalLink, SvixApp} from '../store/types.js'
import {CAPABILITIES, dropScopeTokens, issuePortalToken, pruneExpiredPortalTokens} from './tokens.js'

/** Hosted Svix's default and longest portal session: 7 days. */
export const DEFAULT_PORTAL_EXPIRY_SECONDS = 7 * 24 * 3600

/** The portal page, with the token in the fragment: never sent to a server or kept in its logs. */
export function portalUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/portal/#key=${encodeURIComponent(token)}`
}

export interface AppPortalAccess {
  capabilities?: string[]
  readOnly?: boolean
  sessionId?: string | null
  /** Seconds the token is valid; default 7 days. */
  expiry?: number
}

/** Svix's app-portal-access: a new session for one application. */
export function issueAppPortalAccess(
  db: Db,
  baseUrl: string,
  app: SvixApp,
  access: AppPortalAccess,
  now = Date.now(),
): {url: string; token: string} {
  pruneExpiredPortalTokens(db, now)
  const {token} = issuePortalToken(db, {
    projectId: app.project_id,
    kind: 'svix_app',
    scopeId: app.id,
    // Hosted Svix's default when a request names none: every capability.
    capabilities: access.capabilities ?? [...CAPABILITIES],
    readOnly: access.readOnly ?? false,
    sessionId: access.sessionId ?? null,
    expiresAt: now + (access.expiry ?? DEFAULT_PORTAL_EXPIRY_SECONDS) * 1000,
    prefix: 'ptk_',
  })
  return {url: portalUrl(baseUrl, token), token}
}

/**
 * A Convoy link's credential: one at a time. Minting a new one (on create, or refresh_token)
 * ends every earlier one. It does not expire; revoking the link ends it.
 */
export function mintLinkToken(db: Db, link: PortalLink): string {
  dropScopeTokens(db, link.project_id, 'portal_link', link.id)
  return issuePortalToken(db, {projectId: link.project_id, kind: 'portal_link', scopeId: link.id, prefix: 'PRT.'}).token
}
