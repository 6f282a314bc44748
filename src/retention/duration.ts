/**
 * Retention ages: Go durations as Convoy's `retention_policy` writes them ("720h",
 * "1h30m") plus days and weeks ("30d", "2w"), since retention is thought of in days.
 */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
}

/** The age in ms; throws a RangeError naming the value when it is not a positive duration. */
export function parseRetention(text: string): number {
  const value = text.trim()
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g)]
  const matched = parts.map((p) => p[0]).join('')
  if (!value || matched !== value) {
    throw new RangeError(`"${text}" is not a duration: use a number with a unit, e.g. 30d, 720h or 1h30m`)
  }
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]], 0)
  if (!(ms >= 1000)) throw new RangeError(`"${text}" is too short: retention must be at least 1s`)
  return ms
}

/** 30d, 12h, 90m... for messages. */
export function formatRetention(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const)
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  return `${ms}ms`
}
