import {badRequest} from '../errors.js'
import {ulidCeil, ulidFloor} from '../util/ulid.js'

export interface DateRange {
  startDate?: string
  endDate?: string
}

/**
 * Parse Convoy's `startDate`/`endDate` (e.g. `2026-11-01T00:00:00`, or any ISO date) into
 * epoch ms. Convoy's format has no zone; it is read as UTC.
 */
export function parseDate(value: string, field: string): number {
  const withZone = /[zZ]|[+-]\d\d:?\d\d$/.test(value) || /^\d{4}-\d\d-\d\d$/.test(value) ? value : `${value}Z`
  const ms = Date.parse(withZone)
  if (Number.isNaN(ms)) throw badRequest(`${field} is not a valid date: "${value}" (use e.g. 2026-11-01T00:00:00)`)
  return ms
}

/** A date window as a ULID range: the ids encode creation time, so this stays an index scan. */
export function dateWindow(range: DateRange): {where: string[]; params: string[]} {
  const where: string[] = []
  const params: string[] = []
  if (range.startDate) {
    where.push('id >= ?')
    params.push(ulidFloor(parseDate(range.startDate, 'startDate')))
  }
  if (range.endDate) {
    where.push('id <= ?')
    params.push(ulidCeil(parseDate(range.endDate, 'endDate')))
  }
  return {where, params}
}
