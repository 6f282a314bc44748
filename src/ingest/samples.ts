/**
 * Realistic provider payloads for `caravan trigger <provider> <event>`: shaped like what the
 * provider really sends (headers included, signatures excepted — see signAsProvider), with fresh
 * ids on every call so idempotency checks downstream don't swallow a second trigger.
 */
import {randomUUID} from 'node:crypto'

import {CaravanError} from '../errors.js'
import {PROVIDER_NAMES, type ProviderName} from './providers.js'
import {type Sample, sampleContext, type SampleDef} from './samples/context.js'
import {GITHUB_SAMPLES} from './samples/github.js'
import {SHOPIFY_SAMPLES} from './samples/shopify.js'
import {STANDARD_WEBHOOKS_SAMPLES} from './samples/standard-webhooks.js'
import {STRIPE_SAMPLES} from './samples/stripe.js'

export type {Sample} from './samples/context.js'

export type SampleOptions = {
  /** Clock reading in ms; timestamps in the payload derive from it. */
  now: number
  /** Source of randomness for ids (any fresh string per call); injectable for deterministic tests. */
  randomId?: () => string
}

export type SampleInfo = {provider: ProviderName; event: string; description: string}

const SAMPLES: Readonly<Record<ProviderName, Readonly<Record<string, SampleDef>>>> = {
  github: GITHUB_SAMPLES,
  stripe: STRIPE_SAMPLES,
  shopify: SHOPIFY_SAMPLES,
  'standard-webhooks': STANDARD_WEBHOOKS_SAMPLES,
}

export function listSamples(): SampleInfo[] {
  return PROVIDER_NAMES.flatMap((provider) =>
    Object.entries(SAMPLES[provider]).map(([event, def]) => ({provider, event, description: def.description})),
  )
}

/** Throws a CARAVAN_ERR_USAGE error naming the available providers or events when either is unknown. */
export function buildSample(provider: string, event: string, opts: SampleOptions): Sample {
  if (!Object.hasOwn(SAMPLES, provider)) {
    const available = PROVIDER_NAMES.join(', ')
    throw new CaravanError('CARAVAN_ERR_USAGE', `unknown provider "${provider}"; available: ${available}`, {
      hint: 'caravan trigger --list shows every sample',
    })
  }
  const events = SAMPLES[provider as ProviderName]
  if (!Object.hasOwn(events, event)) {
    const available = Object.keys(events).join(', ')
    throw new CaravanError('CARAVAN_ERR_USAGE', `unknown ${provider} event "${event}"; available: ${available}`, {
      hint: 'caravan trigger --list shows every sample',
    })
  }
  return events[event].build(sampleContext(opts.now, opts.randomId ?? randomUUID))
}
