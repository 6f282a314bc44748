/**
 * Records as the store keeps them. Field names follow Convoy's JSON (snake_case) so the
 * API layer maps them to responses with little ceremony.
 */
export type ProjectType = 'incoming' | 'outgoing'
export type EndpointStatus = 'active' | 'inactive' | 'paused'
export type DeliveryStatus = 'Scheduled' | 'Processing' | 'Success' | 'Failure' | 'Retry' | 'Discarded'
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'Scheduled',
  'Processing',
  'Success',
  'Failure',
  'Retry',
  'Discarded',
]

export interface SignatureVersion {
  uid: string
  hash: 'SHA256' | 'SHA512'
  encoding: 'hex' | 'base64'
  created_at: string
}

export interface ProjectConfig {
  strategy: {type: 'linear' | 'exponential'; duration: number; retry_count: number}
  signature: {
    header: string
    versions: SignatureVersion[]
    /** Caravan extension: `convoy` (X-Convoy-Signature) or `standard-webhooks` (webhook-signature). */
    scheme: 'convoy' | 'standard-webhooks'
  }
  ratelimit: {count: number; duration: number}
  disable_endpoint: boolean
  add_event_id_trace_headers: boolean
  max_payload_read_size: number
  meta_event: {is_enabled: boolean; type: 'http'; url: string; secret: string; event_type: string[]}
  circuit_breaker: {consecutive_failure_threshold: number; error_timeout: number}
  /** Convoy's (older) shape: prune finished events after `policy` ("720h", "30d"); absent or "" = the server's --retention. */
  retention_policy?: {policy: string}
  /** Caravan extension: check event payloads against their event type's json_schema (off when absent). */
  validate_event_schemas?: boolean
}

export interface Project {
  id: string
  name: string
  type: ProjectType
  config: ProjectConfig
  logo_url: string
  created_at: string
  updated_at: string
}

export interface EndpointSecret {
  uid: string
  value: string
  created_at: string
  updated_at: string
  expires_at: string | null
}

export interface EndpointAuthentication {
  type: 'api_key' | 'basic_auth' | 'oauth2'
  api_key?: {header_name: string; header_value: string}
  basic_auth?: {username: string; password: string}
  oauth2?: OAuth2Config
}

/** Convoy's OAuth2 endpoint authentication, client-credentials grant with a shared secret. */
export interface OAuth2Config {
  url: string
  client_id: string
  client_secret: string
  grant_type: 'client_credentials'
  authentication_type: 'shared_secret'
  scope?: string
  audience?: string
  /** Where the token response keeps its fields, when not at access_token / token_type / expires_in. */
  field_mapping?: {access_token?: string; token_type?: string; expires_in?: string}
  /** The unit of expires_in (seconds unless said otherwise). */
  expiry_time_unit?: 'seconds' | 'milliseconds' | 'minutes' | 'hours'
}

/** A client certificate the relay presents to the endpoint (mutual TLS), PEM. */
export interface MtlsClientCert {
  client_cert: string
  client_key: string
}

export interface Endpoint {
  id: string
  /** `http`: the dispatcher sends to `url`; `cli`: a `caravan listen` forwards to `url`. */
  kind: 'http' | 'cli'
  project_id: string
  name: string
  url: string
  description: string
  owner_id: string
  status: EndpointStatus
  secrets: EndpointSecret[]
  http_timeout: number
  rate_limit: number
  rate_limit_duration: number
  /** Deliveries in flight to it at once; null: the relay's default. */
  max_in_flight: number | null
  authentication: EndpointAuthentication | null
  mtls_client_cert: MtlsClientCert | null
  advanced_signatures: boolean
  content_type: string
  slack_webhook_url: string
  support_email: string
  /** Set on endpoints of a Svix application (their owner_id is the app's id). */
  svix?: EndpointSvixFields | null
  created_at: string
  updated_at: string
}

/** What Svix says of an endpoint beyond Convoy's fields. */
export interface EndpointSvixFields {
  uid: string | null
  filterTypes: string[] | null
  channels: string[] | null
  metadata: Record<string, string>
  /** Sent with every delivery to the endpoint. */
  headers: Record<string, string>
  /** Messages per second, when limited. */
  rateLimit: number | null
  version: number
}

/** A Svix application: a record in the project that owns endpoints. */
export interface SvixApp {
  id: string
  project_id: string
  uid: string | null
  name: string
  rate_limit: number | null
  metadata: Record<string, string>
  created_at: string
  updated_at: string
}

/** One event type, as both Svix and Convoy see it. */
export interface EventType {
  id: string
  project_id: string
  name: string
  description: string
  /** Convoy's category. */
  category: string
  /** Svix's `schemas` (version → JSON schema); Convoy's json_schema is version "1". */
  schemas: Record<string, unknown> | null
  archived: boolean
  deprecated_at: string | null
  feature_flags: string[] | null
  group_name: string | null
  created_at: string
  updated_at: string
}

export interface FilterConfig {
  event_types: string[]
  filter: {body: Record<string, unknown>; headers: Record<string, unknown>}
}

export interface Subscription {
  id: string
  project_id: string
  name: string
  type: 'api' | 'cli'
  endpoint_id: string | null
  source_id: string | null
  filter_config: FilterConfig
  /** `inactive`: routes nothing (Convoy's toggle_status). */
  status: 'active' | 'inactive'
  /** at_most_once: one attempt, never retried (not even after a crash). */
  delivery_mode: 'at_least_once' | 'at_most_once'
  /** At most `count` deliveries per `duration` seconds through this subscription (null: no limit of its own). */
  rate_limit_config: {count: number; duration: number} | null
  /** JavaScript defining transform(payload): rewrites the body sent to this subscription's endpoint ('' = none). */
  function: string
  created_at: string
  updated_at: string
}

/** A subscription's filter for one event type (`*`: any type without its own filter). */
export interface SubscriptionFilter {
  id: string
  project_id: string
  subscription_id: string
  event_type: string
  body: Record<string, unknown>
  headers: Record<string, unknown>
  query: Record<string, unknown>
  /** null: disabled (kept, not applied). */
  enabled_at: string | null
  created_at: string
  updated_at: string
}

export interface SourceVerifier {
  type: string
  [key: string]: unknown
}

export interface Source {
  id: string
  project_id: string
  name: string
  mask_id: string
  type: 'http'
  provider: string
  verifier: SourceVerifier
  idempotency_keys: string[]
  event_type_location: string
  custom_response: {body: string; content_type: string} | null
  forward_headers: string[]
  body_limit: number
  /** transform(payload) for the JSON body of its events, applied when they are delivered ('' = none). */
  body_function: string
  /** transform(headers) for the headers of its events; what it returns is sent with each delivery ('' = none). */
  header_function: string
  is_disabled: boolean
  created_at: string
  updated_at: string
}

export type Headers = Record<string, string[]>

export interface EventRecord {
  id: string
  project_id: string
  source_id: string | null
  event_type: string
  method: string
  url_path: string
  url_query: string
  headers: Headers
  body: Buffer
  idempotency_key: string | null
  is_duplicate: boolean
  verification_error: string | null
  /** Set when only the head of the body was kept (a request that failed verification). */
  body_info?: {size: number; sha256: string; stored: number} | null
  target_endpoint_ids: string[]
  /** A Svix message: the application it was sent to, its eventId and Svix-only fields. */
  app_id?: string | null
  event_uid?: string | null
  svix?: {channels: string[] | null; expunged?: boolean} | null
  created_at: string
  updated_at: string
}

export interface Delivery {
  id: string
  project_id: string
  event_id: string
  endpoint_id: string
  subscription_id: string
  event_type: string
  status: DeliveryStatus
  /** `push`: sent by the dispatcher; `stream`: forwarded by a listener. */
  mode: 'push' | 'stream'
  attempts: number
  retry_limit: number
  next_attempt_at: number
  latency_ms: number | null
  description: string
  idempotency_key: string | null
  created_at: string
  updated_at: string
}

export interface DeliveryAttempt {
  id: string
  project_id: string
  delivery_id: string
  endpoint_id: string
  url: string
  method: string
  request_headers: Headers
  response_status: number | null
  response_headers: Headers | null
  response_body: Buffer | null
  error: string
  latency_ms: number | null
  created_at: string
}

/** A notification about delivery (endpoint.disabled, eventdelivery.failed, ...) as sent to the project's meta-event URL. */
export interface MetaEvent {
  id: string
  project_id: string
  /** Any meta-event type: Convoy's and the Svix operational webhooks share this table. */
  event_type: string
  url: string
  /** The exact bytes sent (and re-sent by resend). */
  body: Buffer
  status: 'Scheduled' | 'Success' | 'Failure'
  attempts: number
  created_at: string
  updated_at: string
}

export interface MetaEventAttempt {
  id: string
  project_id: string
  meta_event_id: string
  url: string
  request_headers: Headers
  response_status: number | null
  response_headers: Headers | null
  response_body: Buffer | null
  error: string
  latency_ms: number | null
  created_at: string
}

/** A link for an owner's (or some endpoints') webhook portal (Convoy's portal links). */
export interface PortalLink {
  id: string
  project_id: string
  name: string
  /** The link covers every endpoint with this owner id ... */
  owner_id: string
  /** ... or these endpoints (Convoy's older form). */
  endpoints: string[]
  can_manage_endpoint: boolean
  auth_type: 'static_token' | 'refresh_token'
  /** Always '': the link's credential lives hashed in portal_tokens (shown once, when minted). */
  token: string
  /** Always '', as `token`. */
  auth_key: string
  created_at: string
  updated_at: string
}

/** A customer-portal session: what one portal token opens (the token itself is not kept). */
export interface PortalToken {
  token_hash: string
  project_id: string
  /** `svix_app`: a Svix application (app-portal-access); `portal_link`: a Convoy portal link. */
  kind: 'svix_app' | 'portal_link'
  /** The application's or the link's id. */
  scope_id: string
  capabilities: string[]
  read_only: boolean
  session_id: string | null
  /** Epoch ms; null never expires. */
  expires_at: number | null
  created_at: string
}
