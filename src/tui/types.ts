/** An event as the inspector shows it (from the API's event JSON). */
export interface InspectEvent {
  uid: string
  event_type: string
  method: string
  url_path: string
  url_query_params: string
  source_id: string
  status: string
  is_duplicate_event: boolean
  failure_reason: string
  headers: Record<string, string[]>
  body_base64: string
  /** Only the head of the body was kept (a request that failed verification). */
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

export interface InspectAttempt {
  uid: string
  http_status: string
  url: string
  request_http_header: Record<string, string> | null
  response_http_header: Record<string, string> | null
  response_data: string
  error: string
  latency_ms: number | null
  created_at: string
}

export interface InspectDelivery {
  uid: string
  status: string
  endpoint: string
  description: string
  attempts: InspectAttempt[]
}
