import {parseRetention} from './duration.js'

const DAY = /^\d{4}-\d{2}-\d{2}$/
const NO_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/

/**
 * `--before` as the prune route's body: an age ("30d") is sent as `older_than`, so the
 * relay's clock decides; a date is sent as `before` in ISO (dates without a zone are UTC).
 */
export function pruneCutoff(value: string): {before: string} | {older_than: string} {
  const text = value.trim()
  if (/^\d/.test(text) && !/^\d{4}-/.test(text)) {
    parseRetention(text)
    return {older_than: text}
  }
  const iso = DAY.test(text) ? `${text}T00:00:00Z` : NO_ZONE.test(text) ? `${text.replace(' ', 'T')}Z` : text
  const ms = /^\d{4}-\d{2}-\d{2}T/.test(iso) ? Date.parse(iso) : Number.NaN
  if (Number.isNaN(ms))
    throw new RangeError(`"${value}" is neither a date (2026-11-01, 2026-11-01T15:04:05) nor an age (30d, 720h)`)
  return {before: new Date(ms).toISOString()}
}
