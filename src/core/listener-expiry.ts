import type {Db} from '../store/db.js'
import {removeListener, staleListeners} from './listeners.js'

/** A listener nobody has run for a week is removed (with its queue): `--listener-ttl`. */
export const DEFAULT_LISTENER_TTL_MS = 7 * 24 * 3_600_000

/** How often the relay looks for expired listeners (also once at start). */
const SWEEP_EVERY_MS = 3_600_000

function formatTtl(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  return `${ms / 1000}s`
}

/** Remove listeners not connected for `ttlMs`; returns how many went. */
export function expireListeners(db: Db, ttlMs: number, connected: Set<string>, now = Date.now()): string[] {
  if (ttlMs <= 0) return []
  const cutoff = new Date(now - ttlMs).toISOString()
  const removed: string[] = []
  for (const l of staleListeners(db, cutoff)) {
    if (connected.has(l.id)) continue
    removeListener(db, l.project_id, l.id, `listener expired: not connected for ${formatTtl(ttlMs)}`)
    removed.push(l.name)
  }
  return removed
}

/** Run `expireListeners` at start and then every hour, off the request path. */
export function startListenerSweeper(
  db: Db,
  opts: {ttlMs: number; connected: () => Set<string>; log: (line: string) => void; everyMs?: number},
): {stop(): void} {
  const sweep = () => {
    try {
      const removed = expireListeners(db, opts.ttlMs, opts.connected())
      if (removed.length)
        opts.log(`removed ${removed.length} listener(s) not connected within the listener TTL: ${removed.join(', ')}`)
    } catch (error) {
      opts.log(`listener expiry failed: ${(error as Error).message}`)
    }
  }
  if (opts.ttlMs <= 0) return {stop: () => undefined}
  sweep()
  const timer = setInterval(sweep, opts.everyMs ?? Math.min(SWEEP_EVERY_MS, Math.max(1000, opts.ttlMs / 4)))
  timer.unref()
  return {stop: () => clearInterval(timer)}
}
