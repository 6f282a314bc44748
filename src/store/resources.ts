import {Table} from './table.js'
import type {
  Delivery,
  DeliveryAttempt,
  Endpoint,
  EventRecord,
  MetaEvent,
  MetaEventAttempt,
  PortalLink,
  Source,
  Subscription,
  SubscriptionFilter,
} from './types.js'

/** The table mapping of each stored resource. */
export const endpoints = new Table<Endpoint>(
  'endpoints',
  [
    'id',
    'kind',
    'project_id',
    'name',
    'url',
    'description',
    'owner_id',
    'status',
    'secrets',
    'http_timeout',
    'rate_limit',
    'rate_limit_duration',
    'authentication',
    'advanced_signatures',
    'content_type',
    'slack_webhook_url',
    'support_email',
    'created_at',
    'updated_at',
  ],
  ['secrets', 'authentication'],
  ['advanced_signatures'],
)

export const sources = new Table<Source>(
  'sources',
  [
    'id',
    'project_id',
    'name',
    'mask_id',
    'type',
    'provider',
    'verifier',
    'idempotency_keys',
    'event_type_location',
    'custom_response',
    'forward_headers',
    'body_limit',
    'is_disabled',
    'created_at',
    'updated_at',
  ],
  ['verifier', 'idempotency_keys', 'custom_response', 'forward_headers'],
  ['is_disabled'],
)

export const subscriptions = new Table<Subscription>(
  'subscriptions',
  ['id', 'project_id', 'name', 'type', 'endpoint_id', 'source_id', 'filter_config', 'status', 'created_at', 'updated_at'],
  ['filter_config'],
)

export const subscriptionFilters = new Table<SubscriptionFilter>(
  'subscription_filters',
  [
    'id',
    'project_id',
    'subscription_id',
    'event_type',
    'body',
    'headers',
    'query',
    'enabled_at',
    'created_at',
    'updated_at',
  ],
  ['body', 'headers', 'query'],
  [],
  false,
)

export const events = new Table<EventRecord>(
  'events',
  [
    'id',
    'project_id',
    'source_id',
    'event_type',
    'method',
    'url_path',
    'url_query',
    'headers',
    'body',
    'idempotency_key',
    'is_duplicate',
    'verification_error',
    'target_endpoint_ids',
    'created_at',
    'updated_at',
    'body_info',
  ],
  ['headers', 'target_endpoint_ids', 'body_info'],
  ['is_duplicate'],
  false,
)

export const deliveries = new Table<Delivery>(
  'deliveries',
  [
    'id',
    'project_id',
    'event_id',
    'endpoint_id',
    'subscription_id',
    'event_type',
    'status',
    'mode',
    'attempts',
    'retry_limit',
    'next_attempt_at',
    'latency_ms',
    'description',
    'idempotency_key',
    'created_at',
    'updated_at',
  ],
  [],
  [],
  false,
)

export const attempts = new Table<DeliveryAttempt>(
  'delivery_attempts',
  [
    'id',
    'project_id',
    'delivery_id',
    'endpoint_id',
    'url',
    'method',
    'request_headers',
    'response_status',
    'response_headers',
    'response_body',
    'error',
    'latency_ms',
    'created_at',
  ],
  ['request_headers', 'response_headers'],
  [],
  false,
)

export const metaEvents = new Table<MetaEvent>(
  'meta_events',
  ['id', 'project_id', 'event_type', 'url', 'body', 'status', 'attempts', 'created_at', 'updated_at'],
  [],
  [],
  false,
)

export const metaEventAttempts = new Table<MetaEventAttempt>(
  'meta_event_attempts',
  [
    'id',
    'project_id',
    'meta_event_id',
    'url',
    'request_headers',
    'response_status',
    'response_headers',
    'response_body',
    'error',
    'latency_ms',
    'created_at',
  ],
  ['request_headers', 'response_headers'],
  [],
  false,
)

export const portalLinks = new Table<PortalLink>(
  'portal_links',
  [
    'id',
    'project_id',
    'name',
    'owner_id',
    'endpoints',
    'can_manage_endpoint',
    'auth_type',
    'token',
    'auth_key',
    'created_at',
    'updated_at',
  ],
  ['endpoints'],
  ['can_manage_endpoint'],
)
