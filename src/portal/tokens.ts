import {createHash, randomBytes} from 'node:crypto'

import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {prepared} from '../store/table.js'
import type {PortalToken} from '../store/types.js'

/** What a portal session may do: Svix's AppPortalCapability names (ManageTransformations is accepted, unused). */
export const CAPABILITIES = [
  'ViewBase',
  'ViewEndpointSecret',
  'ManageEndpointSecret',
  'ManageEndpoint',
  'CreateAttempts',
] as const
export type Capability = (typeof CAPABILITIES)[number]

/** Capabilities that change something: a read-only session has none of them. */
export const MUTATING: readonly Capability[] = ['ManageEndpointSecret', 'ManageEndpoint', 'CreateAttempts']

export const hashPortalToken = (token: string): string => createHash('sha256').update(token).digest('hex')

export interface NewPortalToken {
  projectId: string
  kind: PortalToken['kind']
  scopeId: string
  capabilities?: string[]
  readOnly?: boolean
  sessionId?: string | null
  expiresAt?: number | null
  /** Token prefix: `PRT.` for Convoy links (as Convoy's), `ptk_` for Svix applications. */
  prefix: string
}

/** Mint a token: the caller gets it once; the store keeps only its hash. */
export function issuePortalToken(db: Db, spec: NewPortalToken): {token: string; row: PortalToken} {
  const token = `${spec.prefix}${randomBytes(32).toString('base64url')}`
  const row: PortalToken = {
    token_hash: hashPortalToken(token),
    project_id: spec.projectId,
    kind: spec.kind,
    scope_id: spec.scopeId,
    capabilities: spec.capabilities ?? [],
    read_only: spec.readOnly ?? false,
    session_id: spec.sessionId ?? null,
    expires_at: spec.expiresAt ?? null,
    created_at: nowIso(),
  }
  prepared(
    db,
    `INSERT INTO portal_tokens (token_hash, project_id, kind, scope_id, capabilities, read_only, session_id, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    row.token_hash,
    row.project_id,
    row.kind,
    row.scope_id,
    JSON.stringify(row.capabilities),
    row.read_only ? 1 : 0,
    row.session_id,
    row.expires_at,
    row.created_at,
  )
  return {token, row}
}

type Row = Omit<PortalToken, 'capabilities' | 'read_only'> & {capabilities: string; read_only: number}

export function findPortalToken(db: Db, token: string): PortalToken | undefined {
  const row = prepared(db, `SELECT * FROM portal_tokens WHERE token_hash = ?`).get(hashPortalToken(token)) as
    Row | undefined
  return row && {...row, capabilities: JSON.parse(row.capabilities) as string[], read_only: row.read_only === 1}
}

/** Every token of a scope ends (a link refreshed or revoked, an app deleted). */
export function dropScopeTokens(db: Db, projectId: string, kind: PortalToken['kind'], scopeId: string): number {
  return prepared(db, `DELETE FROM portal_tokens WHERE project_id = ? AND kind = ? AND scope_id = ?`).run(
    projectId,
    kind,
    scopeId,
  ).changes
}

/**
 * Svix's expire-all: the application's tokens (only those of `sessionIds`, when given) expire
 * `delaySeconds` from now; one already due earlier keeps its earlier time.
 */
export function expireAppTokens(
  db: Db,
  projectId: string,
  appId: string,
  opts: {delaySeconds?: number; sessionIds?: string[]},
  now = Date.now(),
): number {
  const at = now + (opts.delaySeconds ?? 0) * 1000
  const where = [`project_id = ?`, `kind = 'svix_app'`, `scope_id = ?`, `(expires_at IS NULL OR expires_at > ?)`]
  const params: unknown[] = [projectId, appId, at]
  if (opts.sessionIds?.length) {
    where.push(`session_id IN (${opts.sessionIds.map(() => '?').join(',')})`)
    params.push(...opts.sessionIds)
  }
  return db.prepare(`UPDATE portal_tokens SET expires_at = ? WHERE ${where.join(' AND ')}`).run(at, ...params).changes
}

/** Svix's logout: this token ends now. */
export function revokePortalToken(db: Db, token: string): boolean {
  return prepared(db, `DELETE FROM portal_tokens WHERE token_hash = ?`).run(hashPortalToken(token)).changes > 0
}

/** Expired sessions are kept a day (so the portal can say "expired" rather than "invalid"), then removed. */
export function pruneExpiredPortalTokens(db: Db, now = Date.now()): number {
  return prepared(db, `DELETE FROM portal_tokens WHERE expires_at IS NOT NULL AND expires_at < ?`).run(
    now - 24 * 3_600_000,
  ).changes
}
