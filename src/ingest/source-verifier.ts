import type {Source} from '../store/types.js'
import {isProviderName, type Location, parseLocation, PROVIDERS} from './providers.js'
import type {VerifierConfig} from './verifier.js'

/** A stored source's verifier (Convoy's shape) as the inbound verifier config. */
export function verifierFor(source: Source): VerifierConfig {
  const hmac = source.verifier.hmac as
    {header: string; hash: 'SHA256' | 'SHA512'; encoding: 'hex' | 'base64'; secret: string} | undefined
  if (source.provider && isProviderName(source.provider) && hmac)
    return PROVIDERS[source.provider].verifier(hmac.secret)
  switch (source.verifier.type) {
    case 'hmac':
      return {type: 'hmac', hmac: hmac!}
    case 'basic_auth':
      return {type: 'basic_auth', basic_auth: source.verifier.basic_auth as {username: string; password: string}}
    case 'api_key':
      return {type: 'api_key', api_key: source.verifier.api_key as {header_name: string; header_value: string}}
    default:
      return {type: 'noop'}
  }
}

/** Where this source reads its event type (first present wins): configured, else the provider's preset. */
export function eventTypeLocations(source: Source): Location[] {
  if (source.event_type_location) return [parseLocation(source.event_type_location)]
  if (source.provider && isProviderName(source.provider)) {
    const preset = PROVIDERS[source.provider]
    return [preset.eventType, ...(preset.eventTypeAlso ?? [])]
  }
  return []
}

export function idempotencyLocations(source: Source): Location[] {
  if (source.idempotency_keys.length) return source.idempotency_keys.map(parseLocation)
  if (source.provider && isProviderName(source.provider)) return PROVIDERS[source.provider].idempotencyKey
  return []
}
