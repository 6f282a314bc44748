import {HttpError} from '../../errors.js'
import type {Db} from '../../store/db.js'
import {prepared} from '../../store/table.js'

/** How long a key's answer is kept (svix-server keeps them about a day too). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000

/**
 * The stored answer to an earlier request with this key, if any. The SDKs send a key on
 * every POST and retry on 5xx and network errors: the retry gets the first answer and
 * nothing is created twice. A key reused for another request is a 409.
 */
export function claimIdempotent(
  db: Db,
  projectId: string,
  key: string,
  request: string,
  now = Date.now(),
): {status: number; body: unknown} | undefined {
  const row = prepared(
    db,
    `SELECT request, status, body, created_at FROM svix_idempotency WHERE project_id = ? AND key = ?`,
  ).get(projectId, key) as {request: string; status: number; body: string; created_at: number} | undefined
  if (!row || row.created_at < now - IDEMPOTENCY_TTL_MS) return undefined
  if (row.request !== request)
    throw new HttpError(409, `idempotency-key ${key.slice(0, 100)} was used for another request`)
  return {status: row.status, body: JSON.parse(row.body) as unknown}
}

/** Keep an answer (2xx and 4xx; a 5xx may be retried for real). Old keys are pruned on the way. */
export function recordIdempotent(
  db: Db,
  projectId: string,
  key: string,
  request: string,
  status: number,
  body: unknown,
  now = Date.now(),
): void {
  if (status >= 500) return
  prepared(db, `DELETE FROM svix_idempotency WHERE created_at < ?`).run(now - IDEMPOTENCY_TTL_MS)
  prepared(
    db,
    `INSERT OR REPLACE INTO svix_idempotency (project_id, key, request, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(projectId, key, request, status, JSON.stringify(body), now)
}
