import {badRequest} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {attempts, deliveries, endpoints} from '../store/resources.js'
import type {Delivery, DeliveryAttempt, Endpoint, EventRecord, Project} from '../store/types.js'
import {RESPONSE_BODY_LIMIT} from '../util/http-response.js'
import {ulid} from '../util/ulid.js'
import {checkUrl, Input} from './input.js'
import {ensureCliEndpoint} from './listeners.js'

/**
 * Record a replay that a CLI made itself (`caravan replay`): a new delivery of the
 * original event, with the one attempt, so history shows what was re-sent and how the
 * app answered.
 */
export function recordReplay(db: Db, project: Project, event: EventRecord, body: unknown, now = Date.now()): Delivery {
  const input = Input.of(body)
  const target = checkUrl(input.str('target', {required: true}), 'target')
  const status = input.int('status', {min: 100, max: 599}) ?? null
  const listenerId = input.str('listener_id')
  let endpoint: Endpoint | undefined = listenerId ? endpoints.get(db, project.id, listenerId) : undefined
  if (listenerId && (!endpoint || endpoint.kind !== 'cli'))
    throw badRequest(`listener_id: no listener ${listenerId} in this project`)
  endpoint ??= ensureCliEndpoint(db, project.id, `replay:${new URL(target).host}`, target, 'caravan replay')
  const headers = (input.record('headers') ?? {}) as Record<string, string[]>
  const requestHeaders = (input.record('request_headers') ?? {}) as Record<string, string>
  const created = nowIso(now)
  const ok = status !== null && status >= 200 && status < 300
  const error = input.str('error') ?? ''
  return db.transaction(() => {
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
      latency_ms: input.int('latency_ms', {min: 0}) ?? null,
      description: `replay of event ${event.id}${error ? `: ${error}` : ''}`,
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
      request_headers: Object.fromEntries(Object.entries(requestHeaders).map(([k, v]) => [k, [String(v)]])),
      response_status: status,
      response_headers: headers,
      response_body: input.str('body_base64')
        ? Buffer.from(input.str('body_base64')!, 'base64').subarray(0, RESPONSE_BODY_LIMIT)
        : null,
      error,
      latency_ms: delivery.latency_ms,
      created_at: created,
    }
    attempts.insert(db, attempt)
    return delivery
  })()
}
