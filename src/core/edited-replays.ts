/**
 * An edited replay (the inspector's `e`, from the dashboard): a browser cannot send to the
 * developer's app itself, so the relay stores the edited request as a new event and delivers
 * it to endpoints the original went to (a `caravan listen` listener among them forwards it
 * over its stream). Provider signatures are re-made with the source's secret when it can
 * sign, as `caravan replay --edit` does; a request that failed verification is never re-sent.
 */
import {badRequest} from '../errors.js'
import {isProviderName} from '../ingest/providers.js'
import {canResign, resignHeaders} from '../ingest/sign-provider.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {deliveries, events, sources} from '../store/resources.js'
import type {Delivery, EventRecord, Headers, Project, Source} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {RESERVED_HEADERS, type StoredEvent} from './events.js'
import {unverifiedReason} from './replays.js'
import {retryBudget} from './retries.js'

export interface EditedReplay {
  /** The request body to send; the original's when absent. */
  body?: Buffer
  /** The request headers to send, names lower-cased; the original's when absent. */
  headers?: Headers
  /** Endpoints to deliver to; every endpoint the original went to when empty. */
  endpointIds: string[]
}

const FIELDS = new Set(['body_base64', 'headers', 'endpoint_ids'])
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const MAX_HEADERS = 200
const MAX_HEADER_BYTES = 64 * 1024

/** `{body_base64?, headers?, endpoint_ids?}` checked field by field: 400 naming the problem. */
export function readEditedReplay(body: unknown): EditedReplay {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw badRequest('the request body must be a JSON object: {body_base64?, headers?, endpoint_ids?}')
  const input = body as Record<string, unknown>
  for (const key of Object.keys(input))
    if (!FIELDS.has(key)) throw badRequest(`${key}: unknown field (expected body_base64, headers, endpoint_ids)`)
  const out: EditedReplay = {endpointIds: []}
  if (input.body_base64 !== undefined) {
    const text = input.body_base64
    if (typeof text !== 'string' || !BASE64.test(text))
      throw badRequest('body_base64: not valid base64 (standard alphabet, padded)')
    out.body = Buffer.from(text, 'base64')
  }
  if (input.headers !== undefined) out.headers = readHeaders(input.headers)
  if (input.endpoint_ids !== undefined) {
    const ids = input.endpoint_ids
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === ''))
      throw badRequest('endpoint_ids: must be an array of endpoint ids')
    out.endpointIds = [...new Set(ids as string[])]
  }
  return out
}

function readHeaders(value: unknown): Headers {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badRequest('headers: must be an object of header name to an array of values')
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length > MAX_HEADERS) throw badRequest(`headers: at most ${MAX_HEADERS} names`)
  const out: Headers = {}
  let bytes = 0
  for (const [name, values] of entries) {
    if (!TOKEN.test(name) || name.length > 256)
      throw badRequest(`headers: ${JSON.stringify(name.slice(0, 100))} is not a valid header name`)
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))
      throw badRequest(`headers.${name}: must be an array of strings`)
    for (const v of values as string[]) {
      // What HTTP allows in a value (visible ASCII, space, tab, Latin-1 obs-text): CR or LF would split the request.
      if (/[^\t\x20-\x7e\x80-\xff]/.test(v))
        throw badRequest(
          `headers.${name}: a value holds a control character (CR, LF or another) or a character beyond Latin-1`,
        )
      bytes += name.length + v.length
    }
    ;(out[name.toLowerCase()] ??= []).push(...(values as string[]))
  }
  if (bytes > MAX_HEADER_BYTES) throw badRequest(`headers: more than ${MAX_HEADER_BYTES} bytes of names and values`)
  return out
}

export interface EditedReplayResult {
  stored: StoredEvent
  resigned: boolean
  notes: string[]
}

/**
 * Check everything, then store the new event and its deliveries in one transaction: on any
 * error nothing is written. `write` runs the storing step (the relay's group commit).
 */
export function planEditedReplay(
  db: Db,
  project: Project,
  original: EventRecord,
  edit: EditedReplay,
  now = Date.now(),
): {store: () => StoredEvent; resigned: boolean; notes: string[]} {
  const refusal = unverifiedReason(original)
  if (refusal) throw badRequest(refusal)
  const previous = deliveries.find(db, ['event_id = ?'], [original.id])
  const reached = new Set(previous.map((d) => d.endpoint_id))
  if (reached.size === 0)
    throw badRequest(
      `event ${original.id} went to no endpoint, so there is nowhere to replay it (no subscription matched)`,
    )
  for (const id of edit.endpointIds)
    if (!reached.has(id))
      throw badRequest(
        `endpoint_ids: event ${original.id} was never delivered to ${id}, so it cannot be replayed there`,
      )

  const source = original.source_id ? sources.get(db, project.id, original.source_id) : undefined
  const body = edit.body ?? original.body
  if (source && body.length > source.body_limit)
    throw badRequest(`body_base64: ${body.length} bytes, above the source's limit of ${source.body_limit} bytes`)
  let headers: Headers = edit.headers ?? structuredClone(original.headers)
  if (!original.source_id)
    for (const name of Object.keys(headers))
      if (RESERVED_HEADERS.has(name))
        throw badRequest(`headers: "${name}" is set by the relay on each delivery and cannot be edited`)
  const signed = resign(source, headers, body, now)
  headers = signed.headers

  const chosen = previous.filter((d) => edit.endpointIds.length === 0 || edit.endpointIds.includes(d.endpoint_id))
  const store = () =>
    db.transaction((): StoredEvent => {
      const created = nowIso(now)
      const event: EventRecord = {
        ...original,
        id: ulid(now),
        headers,
        body,
        idempotency_key: null,
        is_duplicate: false,
        verification_error: null,
        body_info: null,
        target_endpoint_ids: [...new Set(chosen.map((d) => d.endpoint_id))],
        event_uid: null,
        created_at: created,
        updated_at: created,
      }
      events.insert(db, event)
      const made: Delivery[] = []
      const seen = new Set<string>()
      for (const d of chosen) {
        if (seen.has(d.subscription_id)) continue
        seen.add(d.subscription_id)
        made.push(
          deliveries.insert(db, {
            ...d,
            id: ulid(now),
            event_id: event.id,
            status: 'Scheduled',
            attempts: 0,
            retry_limit: retryBudget(db, project, d.subscription_id),
            next_attempt_at: now,
            latency_ms: null,
            idempotency_key: null,
            // No event field links the two (the answer's replay_of does); this shows until the first attempt.
            description: `edited replay of event ${original.id}`,
            created_at: created,
            updated_at: created,
          }),
        )
      }
      return {event, deliveries: made}
    })()
  return {store, resigned: signed.resigned, notes: signed.notes}
}

/** The provider's signature re-made over the edited bytes when the source can sign; else a note why not. */
function resign(
  source: Source | undefined,
  headers: Headers,
  body: Buffer,
  now: number,
): {headers: Headers; resigned: boolean; notes: string[]} {
  if (!source) return {headers, resigned: false, notes: []}
  const provider = source.provider
  const secret = (source.verifier.hmac as {secret?: string} | undefined)?.secret || undefined
  if (!provider || !isProviderName(provider)) {
    const notes =
      source.verifier.type === 'hmac'
        ? [
            `the source checks an HMAC signature but names no provider, so the relay cannot re-sign the edited request: the app may reject its signature`,
          ]
        : []
    return {headers, resigned: false, notes}
  }
  if (!secret)
    return {
      headers,
      resigned: false,
      notes: [`the ${provider} signature was not refreshed (the source has no secret): the app may reject it`],
    }
  if (!canResign(provider, secret))
    return {
      headers,
      resigned: false,
      notes: [
        `the ${provider} signature was not refreshed: the source holds the sender's public key (whpk_), which cannot sign; the app may reject the signature`,
      ],
    }
  const fresh = resignHeaders(provider, secret, headers, body, now)
  const out: Headers = {}
  for (const [name, value] of Object.entries(fresh))
    (out[name.toLowerCase()] ??= []).push(...(Array.isArray(value) ? value : [value]))
  return {headers: out, resigned: true, notes: [`re-signed with the source's ${provider} secret`]}
}
