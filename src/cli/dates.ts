import {Errors} from '@oclif/core'

const DAY = /^(\d{4}-\d{2}-\d{2})$/
const NO_ZONE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?$/

/**
 * A `--since`/`--until` value as the gateway's `startDate`/`endDate`. Convoy parses them
 * with Go's layout `2006-01-02T15:04:05` (UTC, no zone, whole seconds) and answers 400 to
 * anything else; Caravan reads the same layout. Accepted input: `2026-11-01`,
 * `2026-11-01T15:04[:05]` (read as UTC) or any ISO date with a zone or fraction. The window
 * only widens when rounding to seconds: `since` rounds down, `until` up, and a bare `until`
 * day includes that whole day.
 */
export function gatewayDate(value: string | undefined, flag: '--since' | '--until'): string | undefined {
  if (value === undefined || value === '') return undefined
  const text = value.trim()
  const day = DAY.exec(text)
  if (day) return `${day[1]}T${flag === '--until' ? '23:59:59' : '00:00:00'}`
  const plain = NO_ZONE.exec(text)
  if (plain) return `${plain[1]}T${plain[2]}${plain[3] ?? ':00'}`
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new Errors.CLIError(
      `${flag} must be a date like 2026-11-01 or 2026-11-01T15:04:05 (UTC), or an ISO date with a zone (got "${value}")`,
      {exit: 2},
    )
  }
  const seconds = flag === '--until' ? Math.ceil(ms / 1000) : Math.floor(ms / 1000)
  return new Date(seconds * 1000).toISOString().slice(0, 19)
}
