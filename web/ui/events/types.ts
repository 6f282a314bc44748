// The API's event, delivery and attempt JSON as the dashboard reads it (src/api/serialize.ts).
import type {InspectAttempt, InspectEvent} from '../../../src/tui/types.js'

/** The events API's event (the terminal inspector reads the same JSON); headers may be null. */
export type EventJson = Omit<InspectEvent, 'headers'> & {headers: Record<string, string[]> | null}

export interface DeliveryJson {
  uid: string
  event_id: string
  endpoint_id: string
  status: string
  description: string
  latency: string
  target_url: string
  metadata: {num_trials: number; retry_limit: number; next_send_time: string}
  endpoint_metadata?: {uid: string; name: string; url: string}
  created_at: string
}

export type AttemptJson = InspectAttempt & {method: string}

export interface SourceJson {
  uid: string
  name: string
  url: string
}

export interface ListenerJson {
  listener_id: string
  name?: string
  source?: string
  target: string
}

export interface Page<T> {
  content: T[]
  pagination?: {has_next_page: boolean; next_page_cursor: string}
}

/** The status a list shows: duplicate, verification failure, stored without deliveries, or its deliveries'. */
export function displayStatus(e: EventJson): string {
  if (e.is_duplicate_event) return 'Duplicate'
  if (e.failure_reason) return 'Rejected'
  if (e.delivery_summary.deliveries === 0) return 'Stored'
  return e.status
}
