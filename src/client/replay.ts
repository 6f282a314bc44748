import {requireSource} from './sources.js'
import {CaravanError} from '../errors.js'
import {isProviderName} from '../ingest/providers.js'
import {canResign, resignHeaders} from '../ingest/sign-provider.js'
import {Forwarder, type ForwardResult} from '../listen/forwarder.js'
import {forwardUrl, parseTarget} from '../listen/target.js'
import {needsCaravan} from './caravan-only.js'
import type {GatewayClient} from './gateway-client.js'
import {editText, formatRequest, parseRequest} from './request-text.js'
import type {Json} from './resources.js'
import {sourceSecret} from './sources.js'

export interface ReplayOptions {
  ref: string
  source?: string
  forward?: string
  data?: Buffer
  headers?: Record<string, string>
  /** Send exactly these headers instead of the stored ones (an edited request). */
  replaceHeaders?: Record<string, string[]>
  edit?: boolean
  /**
   * Send a request that failed signature verification at ingest. It is still never re-signed:
   * it goes out with the headers it came with, so the app's own check judges it.
   */
  allowUnverified?: boolean
}

export interface ReplayOutcome {
  event: Json
  target: string
  result: ForwardResult
  resigned: boolean
  notes: string[]
  /** Said before anything else: why this send is unsafe (an unverified request). */
  warnings: string[]
  delivery_id: string | null
}

type HeaderMap = Record<string, string[]>

function editInEditor(headers: HeaderMap, body: Buffer): {headers: HeaderMap; body: Buffer} {
  const edited = editText(formatRequest(headers, body))
  if ('failed' in edited)
    throw new CaravanError(
      'CARAVAN_ERR_CONFIG',
      `the editor (${edited.editor}) exited with ${edited.failed}; nothing was sent`,
    )
  return parseRequest(edited.text)
}

async function findEvent(client: GatewayClient, base: string, ref: string, sourceId?: string): Promise<Json> {
  if (ref !== 'latest') return client.data<Json>('GET', `${base}/events/${encodeURIComponent(ref)}`)
  const page = await client.data<{content: Json[]}>('GET', `${base}/events`, {query: {perPage: 1, sourceId}})
  const event = page.content[0]
  if (!event)
    throw new CaravanError(
      'CARAVAN_ERR_NOT_FOUND',
      sourceId ? 'no events from that source yet' : 'no events stored yet',
    )
  return event
}

/**
 * Re-send a stored request to the app (the running listener's target, or --forward),
 * optionally edited, re-signed when the source knows the provider secret, and record
 * the result as a new delivery of the original event.
 */
export async function replayStoredEvent(
  client: GatewayClient,
  projectId: string,
  opts: ReplayOptions,
): Promise<ReplayOutcome> {
  const base = `/api/v1/projects/${encodeURIComponent(projectId)}`
  let source: Json | undefined
  if (opts.source) {
    source = await requireSource(client, projectId, opts.source)
  }
  const event = await findEvent(client, base, opts.ref, source?.uid)
  if (typeof event.body_base64 !== 'string') {
    throw needsCaravan(
      'caravan replay',
      client.gateway,
      'its events do not carry the raw request that replay re-sends',
      `to have the gateway deliver the event again, use: caravan events replay ${event.uid ?? '<id>'}`,
    )
  }
  const unverified = typeof event.failure_reason === 'string' && event.failure_reason !== ''
  const notes: string[] = []
  const warnings: string[] = []
  if (unverified) {
    if (!opts.allowUnverified)
      throw new CaravanError(
        'CARAVAN_ERR_SIGNATURE_INVALID',
        `event ${event.uid} failed signature verification at ingest (${event.failure_reason}), so it is not replayed: anyone who knows the ingest URL can send such a request`,
        {
          hint: `to send it anyway, unsigned by caravan and with its original headers: caravan replay ${event.uid} --allow-unverified`,
        },
      )
    warnings.push(
      `sending event ${event.uid} although it failed signature verification at ingest (${event.failure_reason}): it may be forged; it is sent with its original headers and is not re-signed`,
    )
  }
  if (event.body_truncated === true && !opts.data)
    throw new CaravanError(
      'CARAVAN_ERR_CONFIG',
      `event ${event.uid} keeps only the first ${Buffer.from(event.body_base64 ?? '', 'base64').length} of its ${event.body_size} body bytes (it failed verification), so it cannot be replayed as it came`,
      {hint: 'pass the body with --data @file'},
    )
  if (!source && event.source_id)
    source = await client.data<Json>('GET', `${base}/sources/${encodeURIComponent(event.source_id)}`)

  let target = opts.forward ? parseTarget(opts.forward) : undefined
  let listenerId: string | undefined
  if (!target) {
    const listeners = (await client.data<Json[]>('GET', `${base}/listeners`)) ?? []
    const match = listeners.find((l) => !source || l.source === source.name)
    if (!match)
      throw new CaravanError('CARAVAN_ERR_CONFIG', 'no caravan listen is running for this source', {
        hint: 'pass --forward localhost:3000/path, or start caravan listen',
      })
    target = new URL(match.target)
    listenerId = match.listener_id
  }

  let headers: HeaderMap = opts.replaceHeaders ? {...opts.replaceHeaders} : {...(event.headers as HeaderMap)}
  let body = opts.data ?? Buffer.from(event.body_base64 ?? '', 'base64')
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = [v]
  if (opts.edit) ({headers, body} = editInEditor(headers, body))

  let resigned = false
  const provider = source?.provider as string | undefined
  const secret = source ? sourceSecret(source) : undefined
  const changed = Boolean(opts.data || opts.edit)
  if (provider && isProviderName(provider) && !unverified) {
    const timestamped = provider === 'stripe' || provider === 'standard-webhooks'
    if (secret && !canResign(provider, secret) && (timestamped || changed)) {
      notes.push(
        `the ${provider} signature was not refreshed: the source holds the sender's public key (whpk_), which cannot sign; the app may reject an old timestamp`,
      )
    } else if (secret && (timestamped || changed)) {
      headers = resignHeaders(provider, secret, headers, body, Date.now()) as HeaderMap
      resigned = true
      notes.push(timestamped ? 're-signed with a fresh timestamp' : `re-signed with the source's ${provider} secret`)
    } else if (!secret && (timestamped || changed)) {
      notes.push(
        `the ${provider} signature was not refreshed (the source has no secret): the app may reject it; set one with caravan sources update ${source!.uid} --provider ${provider} --secret …`,
      )
    }
  }

  const url = forwardUrl(target, {path: event.url_path ?? '', query: event.url_query_params ?? ''})
  const forwarder = new Forwarder()
  const result = await forwarder.forward({url, method: event.method || 'POST', headers, body})
  await forwarder.close()
  const recorded = await client
    .data<Json>('POST', `${base}/events/${encodeURIComponent(event.uid)}/replays`, {
      body: {
        target: url,
        listener_id: listenerId,
        status: result.status ?? undefined,
        headers: result.headers ?? {},
        body_base64: result.body?.toString('base64'),
        latency_ms: result.latencyMs,
        error: result.error || undefined,
        request_headers: result.requestHeaders,
        allow_unverified: unverified || undefined,
      },
    })
    .catch((error: Error) => {
      notes.push(`the replay was sent but could not be recorded: ${error.message}`)
      return undefined
    })
  return {event, target: url, result, resigned, notes, warnings, delivery_id: recorded?.uid ?? null}
}
