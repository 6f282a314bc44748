import {request} from 'undici'

import {CaravanError} from '../errors.js'
import {isProviderName} from '../ingest/providers.js'
import {applyOverrides} from '../ingest/sample-overrides.js'
import {buildSample, type Sample} from '../ingest/samples.js'
import {signAsProvider} from '../ingest/sign-provider.js'
import type {GatewayClient} from './gateway-client.js'
import type {Json} from './resources.js'
import {sourceSecret} from './sources.js'

export interface TriggerResult {
  provider: string
  event: string
  url: string
  status: number
  event_id: string | null
  signed: boolean
  response: string
}

export interface TriggerPayload {
  /** Send these bytes instead of the sample's body (`--data`); still signed as the provider signs. */
  data?: Buffer
  /** `key.path=value` changes to the JSON body (`--override`). */
  overrides?: string[]
}

/**
 * The sample to send: the provider's headers with the sample body, or `--data`, with the
 * overrides applied. Checks provider and event before anything goes over the network.
 */
export function prepareTrigger(provider: string, event: string, payload: TriggerPayload = {}): Sample {
  const sample = buildSample(provider, event, {now: Date.now()})
  const body = applyOverrides(payload.data ?? sample.body, payload.overrides ?? [])
  return {...sample, body}
}

/**
 * Send a realistic sample of a provider's webhook to a source's ingest URL, signed the
 * way the provider signs it with the source's secret, exactly as the provider would.
 */
export async function triggerSample(
  source: Json,
  provider: string,
  event: string,
  client?: GatewayClient,
  payload: TriggerPayload = {},
): Promise<TriggerResult> {
  if (!isProviderName(provider))
    throw new CaravanError('CARAVAN_ERR_USAGE', `unknown provider "${provider}" (see caravan trigger --list)`)
  const sample = prepareTrigger(provider, event, payload)
  const secret = source.provider === provider ? sourceSecret(source) : undefined
  const headers: Record<string, string> = {...sample.headers}
  if (secret) Object.assign(headers, signAsProvider(provider, secret, sample.body, {now: Date.now(), id: sample.id}))
  let response
  try {
    response = await request(source.url, {method: 'POST', headers, body: sample.body})
  } catch (error) {
    throw new CaravanError(
      'CARAVAN_ERR_GATEWAY_DOWN',
      `cannot reach the ingest URL ${source.url}: ${(error as Error).message}`,
      {hint: client ? 'is the relay running? caravan status' : undefined},
    )
  }
  const text = await response.body.text()
  const eventId = response.headers['x-caravan-event-id']
  return {
    provider,
    event,
    url: source.url,
    status: response.statusCode,
    event_id: typeof eventId === 'string' ? eventId : null,
    signed: Boolean(secret),
    response: text,
  }
}
