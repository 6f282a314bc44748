import {badRequest, HttpError} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {attempts, deliveries, endpoints, events as eventTable} from '../store/resources.js'
import type {Delivery, DeliveryAttempt, Endpoint, EventRecord, Project} from '../store/types.js'
import {RESPONSE_BODY_LIMIT} from '../util/http-response.js'
import {ulid} from '../util/ulid.js'
import {checkUrl, Input} from './input.js'
import {ensureCliEndpoint} from './listeners.js'

/**
 * Why `event` may not be re-sent by the relay, or undefined when it may. A request that failed
 * signature verification at ingest could come from anyone who knows the ingest URL: re-sending
 * it (worse, re-signing it, or signing it with our own outgoing signature) would hand a forged
 * webhook to the app as if the provider had sent it.
 */
export function unverifiedReason(event: Pick<EventRecord, 'id' | 'verification_error'>): string | undefined {
  if (!event.verification_error) return undefined
  return (
    `event ${event.id} failed signature verification at ingest (${event.verification_error}); ` +
    'the relay never re-sends or re-signs a request it could not verify. To send it to your app anyway, ' +
    `with its original headers, use: caravan replay ${event.id} --allow-unverified`
  )
}

/** 409: the event exists, but its state (unverified) forbids the replay. */
export function assertVerified(event: EventRecord): void {
  const reason = unverifiedReason(event)
  if (reason) throw new HttpError(409, reason)
}

/** The reason a delivery's event may not be re-sent, looked up from the delivery. */
export function unverifiedDeliveryReason(db: Db, delivery: Delivery): string | undefined {
  const event = eventTable.get(db, delivery.project_id, delivery.event_id)
  return event ? unverifiedReason(event) : undefined
}

type HeaderList = Record<string, string[]>

/** Response headers as the forwarder reports them: each value a string or a list of strings. */
function readHeaderLists(input: Input, name: string): HeaderList {
  const out: HeaderList = {}
  for (const [key, value] of Object.entries(input.record(name) ?? {})) {
    if (typeof value === 'string') out[key] = [value]
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value as string[]
    else throw badRequest(`${name}.${key} must be a string or an array of strings`)
  }
  return out
}

function readHeaderValues(input: Input, name: string): HeaderList {
  const out: HeaderList = {}
  for (const [key, value] of Object.entries(input.record(name) ?? {})) {
    if (typeof value !== 'string') throw badRequest(`${name}.${key} must be a string`)
    out[key] = [value]
  }
  return out
}

function readBase64(input: Input, name: string): Buffer | null {
  const text = input.str(name)
  if (text === undefined) return null
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw badRequest(`${name} must be base64`)
  return Buffer.from(text, 'base64').subarray(0, RESPONSE_BODY_LIMIT)
}

/**
 * Record a replay that a CLI made itself (`caravan replay`): a new delivery of the
 * original event, with the one attempt, so history shows what was re-sent and how the
 * app answered. Everything is validated before anything is written: a rejected request
 * leaves the store as it was. An unverified event is recorded only with
 * `allow_unverified: true` (the CLI sent it on the user's explicit request).
 */
export function recordReplay(db: Db, project: Project, event: EventRecord, body: unknown, now = Date.now()): Delivery {
  const input = Input.of(body)
  const allowUnverified = input.bool('allow_unverified') ?? false
  const refusal = unverifiedReason(event)
  if (refusal && !allowUnverified) throw new HttpError(409, `${refusal} (send "allow_unverified": true to record it)`)
  const target = checkUrl(input.str('target', {required: true}), 'target')
  const status = input.int('status', {min: 100, max: 599}) ?? null
  const listenerId = input.str('listener_id')
  const listener: Endpoint | undefined = listenerId ? endpoints.get(db, project.id, listenerId) : undefined
  if (listenerId && (!listener || listener.kind !== 'cli'))
    throw badRequest(`listener_id: no listener ${listenerId} in this project`)
  const headers = readHeaderLists(input, 'headers')
  const requestHeaders = readHeaderValues(input, 'request_headers')
  const responseBody = readBase64(input, 'body_base64')
  const latency = input.int('latency_ms', {min: 0}) ?? null
  const error = input.str('error') ?? ''
  const created = nowIso(now)
  const ok = status !== null && status >= 200 && status < 300
  return db.transaction(() => {
    const endpoint =
      listener ?? ensureCliEndpoint(db, project.id, `replay:${new URL(target).host}`, target, 'caravan replay')
    const delivery = deliveries.insert(db, {
      id: ulid(now),
      project_id: project.id,
      event_id: event.id,
      endpoint_id: endpoint.id,
      subscription_id: '',
      event_type: event.event_type,
      status: ok ? 'Success' : 'Failure',
      mode: 'stream',
      attempts: 1,
      retry_limit: 0,
      next_attempt_at: now,
      latency_ms: latency,
      description: `${refusal ? 'unverified ' : ''}replay of event ${event.id}${error ? `: ${error}` : ''}`,
      idempotency_key: event.idempotency_key,
      created_at: created,
      updated_at: created,
    })
    const attempt: DeliveryAttempt = {
      id: ulid(now),
      project_id: project.id,
      delivery_id: delivery.id,
      endpoint_id: endpoint.id,
      url: target,
      method: event.method,
      request_headers: requestHeaders,
      response_status: status,
      response_headers: headers,
      response_body: responseBody,
      error,
      latency_ms: delivery.latency_ms,
      created_at: created,
    }
    attempts.insert(db, attempt)
    return delivery
  })()
}
