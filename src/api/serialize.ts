import type {DeliverySummary} from '../core/events.js'
import {handleableJson} from '../store/json.js'
import type {
  Delivery,
  DeliveryAttempt,
  Endpoint,
  EventRecord,
  Headers,
  Project,
  Source,
  Subscription,
  SubscriptionFilter,
} from '../store/types.js'

/**
 * Records → Convoy's response shapes (models.*Response). Field names and types follow
 * test/fixtures/reference/convoy-openapi3.json; Caravan-only fields are marked.
 */
export function projectJson(p: Project) {
  return {
    uid: p.id,
    name: p.name,
    type: p.type,
    logo_url: p.logo_url,
    organisation_id: '',
    retained_events: 0,
    config: p.config,
    created_at: p.created_at,
    updated_at: p.updated_at,
  }
}

export function endpointJson(e: Endpoint, extra: {cb_state?: string} = {}) {
  return {
    uid: e.id,
    kind: e.kind, // Caravan: http, or cli for a `caravan listen`
    project_id: e.project_id,
    name: e.name,
    url: e.url,
    description: e.description,
    owner_id: e.owner_id,
    status: e.status,
    secrets: e.secrets.map((s) => ({...s, expires_at: s.expires_at ?? ''})),
    http_timeout: e.http_timeout,
    rate_limit: e.rate_limit,
    rate_limit_duration: e.rate_limit_duration,
    max_in_flight: e.max_in_flight, // Caravan: deliveries in flight at once (null: the relay's default)
    authentication: e.authentication,
    // The private key is never shown; an update repeating the certificate keeps it.
    mtls_client_cert: e.mtls_client_cert ? {client_cert: e.mtls_client_cert.client_cert} : null,
    advanced_signatures: e.advanced_signatures,
    content_type: e.content_type,
    slack_webhook_url: e.slack_webhook_url,
    support_email: e.support_email,
    cb_state: extra.cb_state ?? 'closed',
    created_at: e.created_at,
    updated_at: e.updated_at,
  }
}

export function subscriptionJson(
  s: Subscription,
  related: {endpoint?: Endpoint; source?: Source; baseUrl?: string; cbState?: string | null} = {},
) {
  return {
    uid: s.id,
    project_id: s.project_id,
    name: s.name,
    type: s.type,
    endpoint_id: s.endpoint_id ?? '', // Caravan: the ids, besides Convoy's embedded metadata
    source_id: s.source_id ?? '',
    filter_config: {event_types: s.filter_config.event_types, filter: {...s.filter_config.filter, is_flattened: false}},
    status: s.status, // Caravan: Convoy keeps it but does not show it; toggle_status flips it
    delivery_mode: s.delivery_mode,
    function: s.function || null,
    rate_limit_config: s.rate_limit_config,
    endpoint_metadata: related.endpoint
      ? endpointJson(related.endpoint, {cb_state: related.cbState ?? undefined})
      : undefined,
    source_metadata: related.source ? sourceJson(related.source, related.baseUrl ?? '') : undefined,
    created_at: s.created_at,
    updated_at: s.updated_at,
  }
}

/** Convoy's FilterResponse; filters are kept as written, so `raw_*` equal the scopes. */
export function filterJson(f: SubscriptionFilter) {
  return {
    uid: f.id,
    subscription_id: f.subscription_id,
    event_type: f.event_type,
    body: f.body,
    headers: f.headers,
    query: f.query,
    path: {},
    raw_body: f.body,
    raw_headers: f.headers,
    raw_query: f.query,
    raw_path: {},
    enabled_at: f.enabled_at,
    created_at: f.created_at,
    updated_at: f.updated_at,
  }
}

export function ingestUrl(baseUrl: string, maskId: string): string {
  return `${baseUrl}/ingest/${maskId}`
}

export function sourceJson(s: Source, baseUrl: string) {
  return {
    uid: s.id,
    project_id: s.project_id,
    name: s.name,
    mask_id: s.mask_id,
    url: ingestUrl(baseUrl, s.mask_id),
    type: s.type,
    provider: s.provider,
    verifier: s.verifier,
    idempotency_keys: s.idempotency_keys,
    event_type_location: s.event_type_location,
    custom_response: s.custom_response ?? {body: '', content_type: ''},
    forward_headers: s.forward_headers,
    body_limit: s.body_limit, // Caravan: per-source size limit in bytes
    body_function: s.body_function || null,
    header_function: s.header_function || null,
    is_disabled: s.is_disabled,
    created_at: s.created_at,
    updated_at: s.updated_at,
  }
}

function utf8OrNull(body: Buffer): string | null {
  const text = body.toString('utf8')
  return Buffer.byteLength(text) === body.length && !text.includes('\uFFFD') ? text : null
}

/** `data` is the body as JSON only when it can be handled as JSON; else the raw fields carry it. */
function dataOf(body: Buffer): unknown {
  const json = handleableJson(body)
  return json.ok ? json.value : null
}

export function eventJson(e: EventRecord, status: string, summary?: DeliverySummary) {
  const raw = utf8OrNull(e.body)
  return {
    uid: e.id,
    project_id: e.project_id,
    source_id: e.source_id ?? '',
    event_type: e.event_type,
    data: dataOf(e.body),
    raw: raw ?? '',
    body_base64: e.body.toString('base64'), // Caravan: exact bytes, also for binary bodies
    method: e.method, // Caravan
    headers: e.headers,
    url_path: e.url_path,
    url_query_params: e.url_query,
    idempotency_key: e.idempotency_key ?? '',
    is_duplicate_event: e.is_duplicate,
    status,
    failure_reason: e.verification_error ?? '',
    // Caravan: a request that failed verification keeps only the head of its body.
    body_truncated: Boolean(e.body_info),
    body_size: e.body_info?.size ?? e.body.length,
    body_sha256: e.body_info?.sha256 ?? '',
    endpoints: e.target_endpoint_ids,
    // Caravan: what list views show (attempts, last response code and latency)
    delivery_summary: summary
      ? {
          deliveries: summary.statuses.length,
          attempts: summary.attempts,
          response_status: summary.response_status,
          latency_ms: summary.latency_ms,
          error: summary.error,
          endpoints: summary.endpoints,
          listener_deliveries: summary.listener_deliveries,
          waiting_for_listener: summary.waiting_for_listener,
        }
      : {deliveries: 0, attempts: 0, response_status: null, latency_ms: null, error: ''},
    created_at: e.created_at,
    updated_at: e.updated_at,
  }
}

export function deliveryJson(
  d: Delivery,
  related: {endpoint?: Endpoint; strategy?: string; interval?: number; cbState?: string | null} = {},
) {
  return {
    uid: d.id,
    project_id: d.project_id,
    event_id: d.event_id,
    endpoint_id: d.endpoint_id,
    subscription_id: d.subscription_id,
    event_type: d.event_type,
    status: d.status,
    description: d.description,
    idempotency_key: d.idempotency_key ?? '',
    latency: d.latency_ms === null ? '' : `${d.latency_ms}ms`,
    latency_seconds: d.latency_ms === null ? 0 : d.latency_ms / 1000,
    target_url: related.endpoint?.url ?? '',
    metadata: {
      num_trials: d.attempts,
      retry_limit: d.retry_limit,
      next_send_time: new Date(d.next_attempt_at).toISOString(),
      strategy: related.strategy ?? 'linear',
      interval_seconds: related.interval ?? 0,
    },
    endpoint_metadata: related.endpoint
      ? endpointJson(related.endpoint, {cb_state: related.cbState ?? undefined})
      : undefined,
    created_at: d.created_at,
    updated_at: d.updated_at,
  }
}

/** Convoy reports attempt headers as one string per name. */
export function flatHeaders(headers: Headers | null): Record<string, string> | null {
  if (!headers) return null
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]))
}

export function attemptJson(a: DeliveryAttempt) {
  const ok = a.response_status !== null && a.response_status >= 200 && a.response_status < 300
  return {
    uid: a.id,
    msg_id: a.delivery_id,
    project_id: a.project_id,
    endpoint_id: a.endpoint_id,
    url: a.url,
    method: a.method,
    api_version: '2024-04-01',
    ip_address: '',
    request_http_header: flatHeaders(a.request_headers),
    response_http_header: flatHeaders(a.response_headers),
    http_status: a.response_status === null ? '' : String(a.response_status),
    response_data: a.response_body ? a.response_body.toString('utf8') : '',
    error: a.error,
    status: ok,
    latency_ms: a.latency_ms, // Caravan
    created_at: a.created_at,
    updated_at: a.created_at,
  }
}
