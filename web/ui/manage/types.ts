// The API's shapes as the management pages read them (src/api/serialize.ts).

export interface Secret {
  uid: string
  value: string
  created_at: string
  expires_at: string
}

export interface Endpoint {
  uid: string
  name: string
  url: string
  description: string
  owner_id: string
  status: 'active' | 'inactive' | 'paused' | string
  secrets: Secret[]
  http_timeout: number
  rate_limit: number
  rate_limit_duration: number
  max_in_flight: number | null
  authentication: null | {
    type: 'api_key' | 'basic_auth' | 'oauth2'
    api_key?: {header_name: string; header_value: string}
    basic_auth?: {username: string; password: string}
  }
  advanced_signatures: boolean
  content_type: string
  support_email: string
  slack_webhook_url: string
  cb_state: string
  created_at: string
  updated_at: string
}

export interface FailureRate {
  uid: string
  success_count: number
  failure_count: number
  retry_count: number
  period_failure_rate: number
}

export interface Source {
  uid: string
  name: string
  mask_id: string
  url: string
  type: string
  provider: string
  verifier: {type: string; hmac?: {header: string; hash: string; encoding: string}}
  is_disabled: boolean
  created_at: string
}

export interface Subscription {
  uid: string
  name: string
  type: string
  endpoint_id: string
  source_id: string
  status: string
  filter_config: {
    event_types: string[]
    filter: {body: Record<string, unknown>; headers: Record<string, unknown>}
  }
  endpoint_metadata?: {name: string}
  source_metadata?: {name: string}
  created_at: string
}

export interface EventType {
  uid: string
  name: string
  category: string
  description: string
  json_schema: unknown
  deprecated_at: string | null
  created_at: string
}

export interface MetaEvent {
  uid: string
  event_type: string
  status: string
  metadata: {num_trials: number; raw: string}
  attempts: {uid: string; url: string; http_status: string; error: string; created_at: string}[]
  created_at: string
}

/** The live secret (no expiry) first, then the ones still valid until they expire. */
export function liveSecret(endpoint: Endpoint): Secret | undefined {
  return endpoint.secrets.find((s) => !s.expires_at)
}

/** Convoy's date filter format: UTC without a zone. */
export function convoyDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}
