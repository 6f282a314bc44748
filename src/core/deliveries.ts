import {badRequest, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import type {PageQuery} from '../store/paginate.js'
import {attempts, deliveries} from '../store/resources.js'
import {DELIVERY_STATUSES, type Delivery, type DeliveryAttempt, type DeliveryStatus} from '../store/types.js'
import {dateWindow, type DateRange} from './windows.js'

export interface DeliveryListFilter extends DateRange {
  status?: string[]
  endpointId?: string[]
  eventId?: string
  eventType?: string
  subscriptionId?: string
  idempotencyKey?: string
}

export function parseStatuses(values: string[]): DeliveryStatus[] {
  return values.map((value) => {
    const match = DELIVERY_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase())
    if (!match) throw badRequest(`status must be one of ${DELIVERY_STATUSES.join(', ')} (got "${value}")`)
    return match
  })
}

export function listDeliveries(db: Db, projectId: string, page: PageQuery, filter: DeliveryListFilter) {
  const window = dateWindow(filter)
  const where = ['project_id = ?', ...window.where]
  const params: unknown[] = [projectId, ...window.params]
  const any = (column: string, values: string[]) => {
    where.push(`${column} IN (${values.map(() => '?').join(',')})`)
    params.push(...values)
  }
  if (filter.status?.length) any('status', parseStatuses(filter.status))
  if (filter.endpointId?.length) any('endpoint_id', filter.endpointId)
  if (filter.eventId) any('event_id', [filter.eventId])
  if (filter.eventType) any('event_type', [filter.eventType])
  if (filter.subscriptionId) any('subscription_id', [filter.subscriptionId])
  if (filter.idempotencyKey) any('idempotency_key', [filter.idempotencyKey])
  return deliveries.page(db, where, params, page)
}

export function requireDelivery(db: Db, projectId: string, id: string): Delivery {
  const delivery = deliveries.get(db, projectId, id)
  if (!delivery) throw notFound(`event delivery ${id}`)
  return delivery
}

export function listAttempts(db: Db, projectId: string, deliveryId: string): DeliveryAttempt[] {
  requireDelivery(db, projectId, deliveryId)
  return attempts.find(db, ['delivery_id = ?'], [deliveryId])
}

export function requireAttempt(db: Db, projectId: string, deliveryId: string, attemptId: string): DeliveryAttempt {
  const attempt = attempts.get(db, projectId, attemptId)
  if (!attempt || attempt.delivery_id !== deliveryId) throw notFound(`delivery attempt ${attemptId}`)
  return attempt
}

export function deliveriesOfEvent(db: Db, eventId: string): Delivery[] {
  return deliveries.find(db, ['event_id = ?'], [eventId])
}
