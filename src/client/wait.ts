import {CaravanError} from '../errors.js'
import type {ProjectResource, Json} from './resources.js'

const FINAL = new Set(['Success', 'Failure', 'Discarded'])

/** "30s", "2m", "500ms", "1h" or plain seconds → ms. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!match) throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', `not a duration: "${text}" (use e.g. 30s, 2m, 500ms)`)
  const unit = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h']
  return Math.round(Number(match[1]) * unit)
}

/**
 * Poll an event's deliveries until each is final (Success, Failure, Discarded) or the
 * timeout passes. Polling the list route works against Caravan and Convoy alike.
 */
export async function waitForDeliveries(
  deliveries: ProjectResource,
  eventId: string,
  opts: {timeoutMs: number; intervalMs?: number; onChange?: (d: Json) => void},
): Promise<{deliveries: Json[]; timedOut: boolean}> {
  const deadline = Date.now() + opts.timeoutMs
  const seen = new Map<string, string>()
  let interval = opts.intervalMs ?? 100
  for (;;) {
    const page = await deliveries.list({eventId, perPage: 1000})
    const list = page.content
    for (const d of list) {
      if (seen.get(d.uid) !== d.status) {
        seen.set(d.uid, d.status)
        opts.onChange?.(d)
      }
    }
    if (list.every((d) => FINAL.has(d.status))) return {deliveries: list, timedOut: false}
    if (Date.now() >= deadline) return {deliveries: list, timedOut: true}
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(deadline - Date.now(), 0))))
    interval = Math.min(interval * 1.5, 1000)
  }
}
