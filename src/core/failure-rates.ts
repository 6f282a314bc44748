import type {Db} from '../store/db.js'
import {dateWindow, type DateRange} from './windows.js'

export interface EndpointFailureRate {
  uid: string
  success_count: number
  failure_count: number
  retry_count: number
  /** Failed deliveries as a percentage of finished ones (Success + Failure) in the window; 0 when none finished. */
  period_failure_rate: number
}

/**
 * Per endpoint, how its deliveries in a window ended (Convoy's period-failure-rates).
 * Every endpoint asked for gets a row, also one with no deliveries.
 */
export function endpointFailureRates(
  db: Db,
  projectId: string,
  filter: DateRange & {endpointIds: string[]},
): EndpointFailureRate[] {
  const window = dateWindow(filter)
  const where = ['d.project_id = ?', ...window.where.map((w) => `d.${w}`)]
  const params: unknown[] = [projectId, ...window.params]
  let ids = filter.endpointIds
  if (ids.length === 0) {
    ids = (
      db
        .prepare(`SELECT id FROM endpoints WHERE project_id = ? AND kind = 'http' AND deleted_at IS NULL ORDER BY id`)
        .all(projectId) as {id: string}[]
    ).map((r) => r.id)
  }
  if (ids.length === 0) return []
  where.push(`d.endpoint_id IN (${ids.map(() => '?').join(',')})`)
  params.push(...ids)
  const rows = db
    .prepare(
      `SELECT d.endpoint_id AS uid,
              SUM(d.status = 'Success') AS success_count,
              SUM(d.status IN ('Failure', 'Discarded')) AS failure_count,
              SUM(d.status = 'Retry') AS retry_count
       FROM deliveries d WHERE ${where.join(' AND ')} GROUP BY d.endpoint_id`,
    )
    .all(...params) as Omit<EndpointFailureRate, 'period_failure_rate'>[]
  const byId = new Map(rows.map((r) => [r.uid, r]))
  return ids.map((uid) => {
    const row = byId.get(uid) ?? {uid, success_count: 0, failure_count: 0, retry_count: 0}
    const finished = row.success_count + row.failure_count
    const rate = finished === 0 ? 0 : Math.round((row.failure_count / finished) * 10_000) / 100
    return {...row, period_failure_rate: rate}
  })
}
