/**
 * What the relay keeps of a request that failed verification. Anyone who knows an ingest URL
 * can send one, so it must not be able to fill the disk: the headers, the size, a SHA-256 of
 * the whole body and its first few KiB are enough to debug a failed signature, and each source
 * keeps only its newest unverified requests.
 */
import {createHash} from 'node:crypto'

import type {Db} from '../store/db.js'
import type {EventRecord} from '../store/types.js'

export interface UnverifiedLimits {
  /** Body bytes kept of each unverified request. */
  bodyBytes: number
  /** Newest unverified requests kept per source. */
  perSource: number
  /** Stored bytes (body + headers) of unverified requests kept per source. */
  bytesPerSource: number
}

export const DEFAULT_UNVERIFIED_LIMITS: UnverifiedLimits = {
  bodyBytes: 4 * 1024,
  perSource: 100,
  bytesPerSource: 1024 * 1024,
}

export type BodyInfo = NonNullable<EventRecord['body_info']>

/** The body to store for an unverified request, and its description when that is only a head. */
export function keptBody(body: Buffer, limits: UnverifiedLimits): {body: Buffer; info: BodyInfo | null} {
  if (body.length <= limits.bodyBytes) return {body, info: null}
  const head = Buffer.from(body.subarray(0, limits.bodyBytes))
  return {
    body: head,
    info: {size: body.length, sha256: createHash('sha256').update(body).digest('hex'), stored: head.length},
  }
}

export function recordBodyInfo(db: Db, eventId: string, info: BodyInfo): void {
  db.prepare('UPDATE events SET body_info = ? WHERE id = ?').run(JSON.stringify(info), eventId)
}

/**
 * Delete a source's oldest unverified requests beyond the count or byte cap, with any
 * deliveries and attempts recorded for them (explicit `--allow-unverified` replays). Returns
 * how many were removed.
 */
export function pruneUnverified(db: Db, sourceId: string, limits: UnverifiedLimits): number {
  const ids = db
    .prepare(
      `SELECT id FROM (
         SELECT id,
           ROW_NUMBER() OVER newest AS n,
           SUM(length(body) + length(headers)) OVER (newest ROWS UNBOUNDED PRECEDING) AS total
         FROM events WHERE source_id = ? AND verification_error IS NOT NULL
         WINDOW newest AS (ORDER BY id DESC)
       ) WHERE n > ? OR (n > 1 AND total > ?)`,
    )
    .pluck()
    .all(sourceId, limits.perSource, limits.bytesPerSource) as string[]
  if (ids.length === 0) return 0
  const removeAttempts = db.prepare(
    'DELETE FROM delivery_attempts WHERE delivery_id IN (SELECT id FROM deliveries WHERE event_id = ?)',
  )
  const removeDeliveries = db.prepare('DELETE FROM deliveries WHERE event_id = ?')
  const removeEvent = db.prepare('DELETE FROM events WHERE id = ?')
  for (const id of ids) {
    removeAttempts.run(id)
    removeDeliveries.run(id)
    removeEvent.run(id)
  }
  return ids.length
}
