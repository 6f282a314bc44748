import {signConvoyAdvanced, signConvoySimple, signStandardWebhook} from '../signing/index.js'
import type {
  Delivery,
  Endpoint,
  EndpointSecret,
  EventRecord,
  Headers,
  MtlsClientCert,
  OAuth2Config,
  Project,
} from '../store/types.js'
import type {Transformed} from '../transform/apply.js'
import {caravanVersion} from '../version.js'

export interface OutgoingRequest {
  url: string
  method: 'POST'
  headers: Record<string, string>
  body: Buffer
  /** The client certificate to present (the endpoint's mtls_client_cert). */
  tls?: MtlsClientCert
  /** OAuth2 endpoint authentication: the sender adds `Authorization: Bearer <token>` (never recorded). */
  oauth2?: OAuth2Config
  /** The request could not be made (e.g. a transformation failed): nothing is sent, this is the attempt's error. */
  failure?: {message: string; code: string}
}

/** Secrets still valid at `now`, newest first: during rotation both old and new sign. */
export function liveSecrets(endpoint: Endpoint, now: number): EndpointSecret[] {
  return endpoint.secrets
    .filter((s) => s.expires_at === null || s.expires_at === '' || Date.parse(s.expires_at) > now)
    .sort((a, b) => b.created_at.localeCompare(a.created_at))
}

/**
 * Standard Webhooks wants `whsec_<base64 key>`. Endpoint secrets made for Convoy-style
 * signing are plain strings; use their bytes as the key so one secret serves both schemes.
 */
export function asStandardSecret(secret: string): string {
  if (secret.startsWith('whsec_') || secret.startsWith('whsk_')) return secret
  return `whsec_${Buffer.from(secret, 'utf8').toString('base64')}`
}

function signatureHeaders(
  project: Project,
  endpoint: Endpoint,
  event: EventRecord,
  body: Buffer,
  now: number,
): Record<string, string> {
  const secrets = liveSecrets(endpoint, now).map((s) => s.value)
  if (secrets.length === 0) return {}
  const config = project.config.signature
  const timestamp = Math.floor(now / 1000)
  if (endpoint.svix) {
    // A Svix application's endpoint: Svix's header names, the message id as svix-id.
    return {
      'svix-id': event.id,
      'svix-timestamp': String(timestamp),
      'svix-signature': signStandardWebhook({
        id: event.id,
        timestamp,
        payload: body,
        secrets: secrets.map(asStandardSecret),
      }),
    }
  }
  if (config.scheme === 'standard-webhooks') {
    return {
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhook({
        id: event.id,
        timestamp,
        payload: body,
        secrets: secrets.map(asStandardSecret),
      }),
    }
  }
  const version = config.versions.at(-1) ?? {hash: 'SHA256' as const, encoding: 'hex' as const}
  const header = config.header || 'X-Convoy-Signature'
  const value = endpoint.advanced_signatures
    ? signConvoyAdvanced({secrets, payload: body, timestamp, hash: version.hash, encoding: version.encoding})
    : signConvoySimple({secret: secrets[0], payload: body, hash: version.hash, encoding: version.encoding})
  return {[header]: value}
}

function authHeaders(endpoint: Endpoint): Record<string, string> {
  const auth = endpoint.authentication
  if (auth?.type === 'api_key' && auth.api_key) return {[auth.api_key.header_name]: auth.api_key.header_value}
  if (auth?.type === 'basic_auth' && auth.basic_auth) {
    const token = Buffer.from(`${auth.basic_auth.username}:${auth.basic_auth.password}`).toString('base64')
    return {authorization: `Basic ${token}`}
  }
  return {}
}

/** Framing and hop-by-hop headers belong to the HTTP client; an event's custom headers must not set them. */
const TRANSPORT_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'expect',
  'te',
  'trailer',
  'proxy-connection',
])

function customHeaders(headers: Headers): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([k]) => !TRANSPORT_HEADERS.has(k.toLowerCase()))
      .map(([k, v]) => [k, v.join(', ')]),
  )
}

/**
 * Header names are case-insensitive: a value set later replaces an earlier one whatever
 * its case, so a custom `x-convoy-signature` cannot ride along beside the real signature.
 */
function setHeaders(target: Record<string, string>, source: Record<string, string>): void {
  for (const [name, value] of Object.entries(source)) {
    const lower = name.toLowerCase()
    for (const existing of Object.keys(target)) if (existing.toLowerCase() === lower) delete target[existing]
    target[name] = value
  }
}

/**
 * The exact request one delivery attempt sends: the stored body byte for byte, signed
 * over those same bytes, with Convoy's trace headers so receivers written for Convoy work.
 */
export function buildDeliveryRequest(input: {
  project: Project
  endpoint: Endpoint
  event: EventRecord
  delivery: Delivery
  now: number
  /** What the delivery's transformation functions made of the event, when it has any (see transform/apply.ts). */
  transformed?: Transformed
}): OutgoingRequest {
  const {project, endpoint, event, delivery, now} = input
  let body = event.body
  let transformedHeaders: Record<string, string> = {}
  let failure: OutgoingRequest['failure']
  const transformed = input.transformed
  if (transformed) {
    if (transformed.ok) {
      body = transformed.body
      transformedHeaders = transformed.headers
    } else {
      failure = {message: transformed.error, code: 'TRANSFORM'}
    }
  }
  const headers: Record<string, string> = event.source_id ? {} : customHeaders(event.headers)
  setHeaders(headers, customHeaders(Object.fromEntries(Object.entries(transformedHeaders).map(([k, v]) => [k, [v]]))))
  setHeaders(headers, {
    'content-type': endpoint.content_type || 'application/json',
    'user-agent': `Caravan/${caravanVersion()}`,
  })
  // Svix endpoint headers (set through the Svix API) ride on every delivery; the relay's own win.
  if (endpoint.svix) setHeaders(headers, endpoint.svix.headers)
  if (project.config.add_event_id_trace_headers && !endpoint.svix) {
    setHeaders(headers, {'x-convoy-event-id': event.id, 'x-convoy-eventdelivery-id': delivery.id})
  }
  if (event.idempotency_key) setHeaders(headers, {'x-convoy-idempotency-key': event.idempotency_key})
  setHeaders(headers, authHeaders(endpoint))
  setHeaders(headers, signatureHeaders(project, endpoint, event, body, now))
  return {
    url: endpoint.url,
    method: 'POST',
    headers,
    body,
    ...(failure ? {failure} : {}),
    ...(endpoint.mtls_client_cert ? {tls: endpoint.mtls_client_cert} : {}),
    ...(endpoint.authentication?.type === 'oauth2' && endpoint.authentication.oauth2
      ? {oauth2: endpoint.authentication.oauth2}
      : {}),
  }
}
