import {Flags} from '@oclif/core'

import {isObject, withoutNulls} from '../client/json.js'
import type {Json} from '../client/resources.js'
import {DEFAULT_PER_ENDPOINT_IN_FLIGHT, MAX_IN_FLIGHT_PER_ENDPOINT} from '../core/delivery-limits.js'
import {parsePairs} from './crud.js'

/** Flags shared by `endpoints create` and `endpoints update`, mapped to Convoy's body. */
export const endpointFlags = {
  description: Flags.string({description: 'Free-text description.'}),
  secret: Flags.string({description: 'Signing secret (generated when omitted on create).'}),
  owner: Flags.string({description: 'Owner ID, for fan-out events (events send --owner).'}),
  'http-timeout': Flags.integer({
    description: 'Seconds to wait for the endpoint to answer (default 30).',
    min: 1,
    max: 300,
  }),
  'rate-limit': Flags.integer({description: 'Requests allowed per rate-limit window (default 5000).', min: 0}),
  'rate-limit-duration': Flags.integer({description: 'Rate-limit window in seconds (default 60).', min: 1}),
  'max-in-flight': Flags.integer({
    description: `Deliveries sent to it at once, 1-${MAX_IN_FLIGHT_PER_ENDPOINT} (default ${DEFAULT_PER_ENDPOINT_IN_FLIGHT}; 1 sends one at a time). Caravan relays only.`,
    min: 1,
    max: MAX_IN_FLIGHT_PER_ENDPOINT,
  }),
  'advanced-signatures': Flags.boolean({description: 'Sign as t=<unix>,v1=<sig> (replay-safe).', allowNo: true}),
  'auth-header': Flags.string({description: 'Send this header with every request, "Name: value".'}),
  'slack-webhook-url': Flags.string({description: 'Slack incoming-webhook URL told when the endpoint is disabled.'}),
  'support-email': Flags.string({description: 'Contact for this endpoint.'}),
  disabled: Flags.boolean({description: 'Create/set the endpoint inactive.', allowNo: true}),
}

export function endpointBody(flags: Record<string, unknown>): Json {
  const body: Json = {
    name: flags.name,
    url: flags.url,
    description: flags.description,
    secret: flags.secret,
    owner_id: flags.owner,
    http_timeout: flags['http-timeout'],
    rate_limit: flags['rate-limit'],
    rate_limit_duration: flags['rate-limit-duration'],
    max_in_flight: flags['max-in-flight'],
    advanced_signatures: flags['advanced-signatures'],
    slack_webhook_url: flags['slack-webhook-url'],
    support_email: flags['support-email'],
    is_disabled: flags.disabled,
  }
  if (flags['auth-header']) {
    const [[name, value]] = Object.entries(parsePairs([flags['auth-header'] as string], ':', '--auth-header'))
    body.authentication = {type: 'api_key', api_key: {header_name: name, header_value: value}}
  }
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
}

/**
 * An endpoint update that changes only the flags given. Convoy's PUT replaces `url`,
 * `name` (both required), `description` and `authentication` with what is sent, so those
 * are carried over from the current endpoint unless the flags change them.
 */
export function endpointUpdateBody(current: Json, changes: Json): Json {
  const body: Json = {url: current.url, name: current.name, description: current.description, ...changes}
  if (body.authentication === undefined && isObject(current.authentication) && current.authentication.type)
    body.authentication = withoutNulls(current.authentication)
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null))
}
