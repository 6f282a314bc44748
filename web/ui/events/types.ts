// The API's event, delivery and attempt JSON as the dashboard reads it (src/api/serialize.ts).

export interface EventJson {
  uid: string
  event_type: string
  method: string
  url_path: string
  url_query_params: string
  source_id: string
  status: string
  is_duplicate_event: boolean
  failure_reason: string
  headers: Record<string, string[]> | null
  /** The exact request body bytes, also for binary bodies. */
  body_base64: string
  body_truncated?: boolean
  body_size?: number
  body_sha256?: string
  created_at: string
  delivery_summary: {
    deliveries: number
    attempts: number
    response_status: number | null
    latency_ms: number | null
    error: string
  }
}

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

export interface AttemptJson {
  uid: string
  url: string
  method: string
  http_status: string
  request_http_header: Record<string, string> | null
  response_http_header: Record<string, string> | null
  response_data: string
  error: string
  latency_ms: number | null
  created_at: string
}

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
