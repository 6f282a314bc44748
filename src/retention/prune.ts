import type {Db} from '../store/db.js'
import {ulidFloor} from '../util/ulid.js'

/** Rows of events per transaction: small enough that an ingest commit never waits long behind one. */
export const PRUNE_BATCH = 500

/** Deliveries in these states will not change again; an event whose deliveries all are is done. */
const FINISHED = `('Success', 'Failure', 'Discarded')`

export interface PruneCounts {
  events: number
  deliveries: number
  attempts: number
}

/** What a prune removed: event counts, plus the project's meta events past the same cut-off. */
export interface PruneTotals extends PruneCounts {
  meta_events: number
}

export interface PruneResult extends PruneTotals {
  /** The cut-off: events created before it were candidates. */
  before: string
  batches: number
}

export interface PruneOptions {
  /** Events created before this instant (ms) go, if every delivery of theirs is finished. */
  before: number
  /** One project; default: every project. */
  projectId?: string
  /** The relay's durable write (group commit), so each batch queues behind acknowledgements. */
  write: <T>(work: () => T) => Promise<T>
  batchSize?: number
  /** Checked between batches: stop early (the relay is shutting down). */
  stopped?: () => boolean
}

/**
 * Where the previous batch stopped: an event id. Ids are ULIDs of the creation millisecond
 * (the same instant as created_at), so id order is creation order and the project's id
 * index serves the walk.
 */
type Cursor = string

/**
 * Delete one batch of finished events created before `before` (epoch ms) in one project,
 * after `cursor` (an event id; '' to start), with their deliveries and attempts. Events with
 * a delivery still pending are skipped and stay. Runs inside the caller's transaction.
 */
export function pruneBatch(
  db: Db,
  projectId: string,
  before: number,
  cursor: Cursor,
  limit = PRUNE_BATCH,
): PruneCounts & {last: Cursor | null} {
  const rows = db
    .prepare(
      `SELECT e.id FROM events e
       WHERE e.project_id = ? AND e.id > ? AND e.id < ?
         AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = e.id AND d.status NOT IN ${FINISHED})
       ORDER BY e.id LIMIT ?`,
    )
    .all(projectId, cursor, ulidFloor(before), limit) as {id: string}[]
  if (rows.length === 0) return {events: 0, deliveries: 0, attempts: 0, last: null}
  const ids = JSON.stringify(rows.map((r) => r.id))
  const attempts = db
    .prepare(
      `DELETE FROM delivery_attempts WHERE delivery_id IN
         (SELECT id FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?)))`,
    )
    .run(ids).changes
  const deliveries = db
    .prepare(`DELETE FROM deliveries WHERE event_id IN (SELECT value FROM json_each(?))`)
    .run(ids).changes
  const events = db.prepare(`DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))`).run(ids).changes
  return {events, deliveries, attempts, last: rows.length < limit ? null : rows[rows.length - 1].id}
}

/**
 * Delete one batch of a project's meta events created before `beforeIso`, with their
 * attempts. Meta events are sent once (no retry), so only one being sent (`Scheduled`)
 * stays. Runs inside the caller's transaction; returns how many went.
 */
export function pruneMetaBatch(db: Db, projectId: string, beforeIso: string, limit = PRUNE_BATCH): number {
  const ids = (
    db
      .prepare(
        `SELECT id FROM meta_events WHERE project_id = ? AND created_at < ? AND status != 'Scheduled' ORDER BY id LIMIT ?`,
      )
      .all(projectId, beforeIso, limit) as {id: string}[]
  ).map((r) => r.id)
  if (ids.length === 0) return 0
  const json = JSON.stringify(ids)
  db.prepare(`DELETE FROM meta_event_attempts WHERE meta_event_id IN (SELECT value FROM json_each(?))`).run(json)
  return db.prepare(`DELETE FROM meta_events WHERE id IN (SELECT value FROM json_each(?))`).run(json).changes
}

/** The earliest instant a JavaScript Date holds (−271821-04-20). */
const EARLIEST_DATE_MS = -8.64e15

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/**
 * Prune in batches, each its own durable write through the relay's group commit, yielding
 * to the event loop between batches so requests waiting to be acknowledged go first.
 */
export async function pruneEvents(db: Db, opts: PruneOptions): Promise<PruneResult> {
  // A retention longer than time itself (older_than 99999999999d) reaches back past the first
  // instant a date can hold: nothing is that old, so nothing goes.
  const before = Math.max(opts.before, EARLIEST_DATE_MS)
  const beforeIso = new Date(before).toISOString()
  const projects = opts.projectId
    ? [opts.projectId]
    : (db.prepare(`SELECT id FROM projects ORDER BY id`).all() as {id: string}[]).map((p) => p.id)
  const total: PruneResult = {events: 0, deliveries: 0, attempts: 0, meta_events: 0, batches: 0, before: beforeIso}
  for (const projectId of projects) {
    let cursor: Cursor | null = ''
    while (cursor !== null && !opts.stopped?.()) {
      const from: Cursor = cursor
      const batch = await opts.write(() => pruneBatch(db, projectId, before, from, opts.batchSize))
      total.events += batch.events
      total.deliveries += batch.deliveries
      total.attempts += batch.attempts
      total.batches++
      cursor = batch.last
      await nextTurn()
    }
    // The project's meta events age out with its events (they would otherwise grow forever).
    const size = opts.batchSize ?? PRUNE_BATCH
    let removed = size
    while (removed === size && !opts.stopped?.()) {
      removed = await opts.write(() => pruneMetaBatch(db, projectId, beforeIso, size))
      total.meta_events += removed
      total.batches++
      await nextTurn()
    }
  }
  return total
}
