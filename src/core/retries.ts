import {badRequest, HttpError} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {deliveries, subscriptions} from '../store/resources.js'
import type {Delivery, EventRecord, Project} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {type DeliveryListFilter, listDeliveries, requireDelivery} from './deliveries.js'
import {assertVerified, unverifiedDeliveryReason} from './replays.js'

/** Most deliveries one batch call touches; more needs a narrower filter. */
export const BATCH_LIMIT = 10_000

const RETRYABLE = new Set(['Failure', 'Discarded'])

/** Retries a new or requeued delivery gets: none for an at_most_once subscription (one attempt per explicit send). */
export function retryBudget(db: Db, project: Project, subscriptionId: string): number {
  const sub = subscriptions.get(db, project.id, subscriptionId)
  return sub?.delivery_mode === 'at_most_once' ? 0 : project.config.strategy.retry_count
}

/**
 * Put a finished delivery back in the queue with a fresh retry budget. Convoy's resend
 * is for failed deliveries; `force` also re-sends successful ones (forceresend).
 */
function requeue(db: Db, project: Project, delivery: Delivery, now: number): Delivery {
  const updated: Delivery = {
    ...delivery,
    status: 'Scheduled',
    next_attempt_at: now,
    retry_limit: delivery.attempts + retryBudget(db, project, delivery.subscription_id),
    description: 'manual retry',
    updated_at: nowIso(now),
  }
  deliveries.update(db, updated)
  return updated
}

export function resendDelivery(db: Db, project: Project, id: string, now = Date.now()): Delivery {
  const delivery = requireDelivery(db, project.id, id)
  const refusal = unverifiedDeliveryReason(db, delivery)
  if (refusal) throw new HttpError(409, refusal)
  if (!RETRYABLE.has(delivery.status)) {
    throw badRequest(
      `event delivery ${id} is ${delivery.status}; only Failure or Discarded deliveries can be retried (use forceresend for Success)`,
    )
  }
  return requeue(db, project, delivery, now)
}

export function batchRetry(
  db: Db,
  project: Project,
  filter: DeliveryListFilter,
  now = Date.now(),
): {retried: number; skipped: number} {
  const statuses = filter.status?.length ? filter.status : ['Failure']
  const page = listDeliveries(
    db,
    project.id,
    {perPage: BATCH_LIMIT, direction: 'next', sort: 'ASC'},
    {...filter, status: statuses},
  )
  let retried = 0
  let skipped = 0
  db.transaction(() => {
    for (const delivery of page.content) {
      if (RETRYABLE.has(delivery.status) && !unverifiedDeliveryReason(db, delivery)) {
        requeue(db, project, delivery, now)
        retried++
      } else {
        skipped++
      }
    }
  })()
  return {retried, skipped}
}

export function forceResend(
  db: Db,
  project: Project,
  ids: string[],
  now = Date.now(),
): {resent: Delivery[]; failed: {id: string; reason: string}[]} {
  const resent: Delivery[] = []
  const failed: {id: string; reason: string}[] = []
  db.transaction(() => {
    for (const id of ids) {
      const delivery = deliveries.get(db, project.id, id)
      if (!delivery) failed.push({id, reason: 'not found'})
      else if (unverifiedDeliveryReason(db, delivery))
        failed.push({id, reason: 'its event failed signature verification at ingest; the relay never re-sends it'})
      else if (delivery.status !== 'Success')
        failed.push({id, reason: `is ${delivery.status}, not Success (use resend)`})
      else resent.push(requeue(db, project, delivery, now))
    }
  })()
  return {resent, failed}
}

/**
 * Replay an event: one new delivery per subscription that got the original, so the same
 * endpoints receive it again (only those in `endpointIds` when given). Earlier deliveries
 * and attempts stay as they were.
 */
export function replayEvent(
  db: Db,
  project: Project,
  event: EventRecord,
  now = Date.now(),
  endpointIds: string[] = [],
): Delivery[] {
  assertVerified(event)
  const previous = deliveries
    .find(db, ['event_id = ?'], [event.id])
    .filter((d) => endpointIds.length === 0 || endpointIds.includes(d.endpoint_id))
  if (endpointIds.length && previous.length === 0)
    throw badRequest(
      `endpointId: event ${event.id} was never delivered to ${endpointIds.join(', ')}, so it cannot be replayed there`,
    )
  const seen = new Set<string>()
  const made: Delivery[] = []
  db.transaction(() => {
    for (const d of previous) {
      if (seen.has(d.subscription_id)) continue
      seen.add(d.subscription_id)
      const created = nowIso(now)
      made.push(
        deliveries.insert(db, {
          ...d,
          id: ulid(now),
          status: 'Scheduled',
          attempts: 0,
          retry_limit: retryBudget(db, project, d.subscription_id),
          next_attempt_at: now,
          latency_ms: null,
          description: `replay of ${d.id}`,
          created_at: created,
          updated_at: created,
        }),
      )
    }
  })()
  return made
}
