import {badRequest} from '../errors.js'
import type {Db} from '../store/db.js'
import type {DeliveryStatus} from '../store/types.js'
import {ulidFloor} from '../util/ulid.js'

/** The summary's windows: the last 24 hours by hour, or the last 7 days by (UTC) day. */
export const SUMMARY_PERIODS = {
  '24h': {bucketMs: 3_600_000, buckets: 24},
  '7d': {bucketMs: 86_400_000, buckets: 7},
} as const
export type SummaryPeriod = keyof typeof SUMMARY_PERIODS

export interface SummaryCounts {
  delivered: number
  failed: number
  /** Not finished yet: Scheduled, Processing or Retry. */
  pending: number
}

export interface ProjectSummary {
  period: SummaryPeriod
  start: string
  end: string
  buckets: ({start: string; events: number} & SummaryCounts)[]
  endpoints: ({uid: string; failure_rate: number} & SummaryCounts)[]
}

/** Every delivery status, so what is neither failed nor pending was delivered. */
const STATUS_GROUP: Record<DeliveryStatus, keyof SummaryCounts> = {
  Success: 'delivered',
  Failure: 'failed',
  Discarded: 'failed',
  Scheduled: 'pending',
  Processing: 'pending',
  Retry: 'pending',
}
const STATUSES = Object.keys(STATUS_GROUP) as DeliveryStatus[]

export function parseSummaryPeriod(value: string | null): SummaryPeriod {
  const period = value || '24h'
  if (!(period in SUMMARY_PERIODS))
    throw badRequest(`period must be one of ${Object.keys(SUMMARY_PERIODS).join(', ')} (got "${period.slice(0, 20)}")`)
  return period as SummaryPeriod
}

/**
 * Events in and deliveries by outcome per time bucket, and deliveries by outcome per
 * endpoint, over one bounded window. Ids are ULIDs, so the window and each bucket are id
 * ranges: the bucket counts are two GROUP BY scans over covering indexes (events_project,
 * deliveries_status) — one pass over the window, not one query per bucket.
 */
export function projectSummary(db: Db, projectId: string, period: SummaryPeriod, now = Date.now()): ProjectSummary {
  const {bucketMs, buckets} = SUMMARY_PERIODS[period]
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs
  const start = end - buckets * bucketMs
  const edges = Array.from({length: buckets + 1}, (_, i) => ulidFloor(start + i * bucketMs))
  const window = [edges[0], edges[buckets]]
  // One statement per table: a COUNT over each bucket's id range, glued by UNION ALL. Each
  // part is a range of a covering index, already in order: no temp B-tree, no table rows.
  const perBucket = (part: string) =>
    edges
      .slice(0, -1)
      .map((_, i) => part.replaceAll('$i', String(i)))
      .join(' UNION ALL ')
  const rangeParams = (...before: string[]) => edges.slice(0, -1).flatMap((lo, i) => [...before, lo, edges[i + 1]])

  const out = Array.from({length: buckets}, (_, i) => ({
    start: new Date(start + i * bucketMs).toISOString(),
    events: 0,
    delivered: 0,
    failed: 0,
    pending: 0,
  }))
  const events = db
    .prepare(
      perBucket(
        `SELECT $i AS b, COUNT(*) AS n FROM events INDEXED BY events_project
         WHERE project_id = ? AND id >= ? AND id < ?`,
      ),
    )
    .all(...rangeParams(projectId)) as {b: number; n: number}[]
  for (const row of events) out[row.b].events = row.n

  const statusList = STATUSES.map(() => '?').join(',')
  const deliveries = db
    .prepare(
      perBucket(
        `SELECT * FROM (SELECT $i AS b, status, COUNT(*) AS n FROM deliveries INDEXED BY deliveries_status
         WHERE project_id = ? AND status IN (${statusList}) AND id >= ? AND id < ? GROUP BY status)`,
      ),
    )
    .all(...rangeParams(projectId, ...STATUSES)) as {b: number; status: DeliveryStatus; n: number}[]
  for (const row of deliveries) out[row.b][STATUS_GROUP[row.status]] += row.n

  // Per endpoint: its deliveries in the window from its own range of deliveries_endpoint
  // (covering), and only the unfinished or failed ones read row by row (their endpoint is not
  // in deliveries_status) — the usual Success majority is never read one by one.
  const endpointIds = (
    db
      .prepare(`SELECT id FROM endpoints WHERE project_id = ? AND kind = 'http' AND deleted_at IS NULL ORDER BY id`)
      .all(projectId) as {id: string}[]
  ).map((r) => r.id)
  const inWindow = db.prepare(
    `SELECT COUNT(*) AS n FROM deliveries INDEXED BY deliveries_endpoint
     WHERE project_id = ? AND endpoint_id = ? AND id >= ? AND id < ?`,
  )
  const notDelivered = STATUSES.filter((status) => status !== 'Success')
  const unfinished = db
    .prepare(
      `SELECT endpoint_id, status, COUNT(*) AS n FROM deliveries INDEXED BY deliveries_status
       WHERE project_id = ? AND status IN (${notDelivered.map(() => '?').join(',')}) AND id >= ? AND id < ?
       GROUP BY endpoint_id, status`,
    )
    .all(projectId, ...notDelivered, ...window) as {endpoint_id: string; status: DeliveryStatus; n: number}[]
  const byEndpoint = new Map<string, SummaryCounts>()
  for (const row of unfinished) {
    const counts = byEndpoint.get(row.endpoint_id) ?? {delivered: 0, failed: 0, pending: 0}
    counts[STATUS_GROUP[row.status]] += row.n
    byEndpoint.set(row.endpoint_id, counts)
  }
  for (const uid of endpointIds) {
    const counts = byEndpoint.get(uid) ?? {delivered: 0, failed: 0, pending: 0}
    const total = (inWindow.get(projectId, uid, ...window) as {n: number}).n
    counts.delivered = total - counts.failed - counts.pending
    byEndpoint.set(uid, counts)
  }

  return {
    period,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    buckets: out,
    endpoints: endpointIds.map((uid) => {
      const counts = byEndpoint.get(uid) ?? {delivered: 0, failed: 0, pending: 0}
      const finished = counts.delivered + counts.failed
      // As period-failure-rates: failed as a percentage of finished deliveries.
      const rate = finished === 0 ? 0 : Math.round((counts.failed / finished) * 10_000) / 100
      return {uid, ...counts, failure_rate: rate}
    }),
  }
}
