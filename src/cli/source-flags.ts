import {Errors, Flags} from '@oclif/core'

import {withoutNulls} from '../client/json.js'
import type {Json} from '../client/resources.js'

const PROVIDERS = ['github', 'stripe', 'shopify', 'standard-webhooks']

/** How each provider signs (the same presets the relay applies). */
const PROVIDER_HMAC: Record<string, {header: string; hash: string; encoding: string}> = {
  github: {header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex'},
  stripe: {header: 'Stripe-Signature', hash: 'SHA256', encoding: 'hex'},
  shopify: {header: 'X-Shopify-Hmac-Sha256', hash: 'SHA256', encoding: 'base64'},
  'standard-webhooks': {header: 'webhook-signature', hash: 'SHA256', encoding: 'base64'},
}
const VERIFIERS = ['noop', 'hmac', 'basic_auth', 'api_key']

export const sourceFlags = {
  provider: Flags.string({description: 'Provider preset: verifies its signature scheme.', options: PROVIDERS}),
  verifier: Flags.string({description: 'Verifier type, or a provider name.', options: [...VERIFIERS, ...PROVIDERS]}),
  secret: Flags.string({description: 'Provider / HMAC secret.'}),
  'hmac-header': Flags.string({description: 'Header carrying the HMAC signature (verifier hmac).'}),
  hash: Flags.string({description: 'HMAC hash (verifier hmac).', options: ['SHA256', 'SHA512']}),
  encoding: Flags.string({description: 'HMAC encoding (verifier hmac).', options: ['hex', 'base64']}),
  username: Flags.string({description: 'Expected user (verifier basic_auth).'}),
  password: Flags.string({description: 'Expected password (verifier basic_auth).'}),
  'key-header': Flags.string({description: 'Header carrying the key (verifier api_key).'}),
  'key-value': Flags.string({description: 'Expected key (verifier api_key).'}),
  'idempotency-key': Flags.string({
    description: 'Where to read an idempotency key: header.<name>, body.<path> or query.<name> (repeatable).',
    multiple: true,
  }),
  'event-type-location': Flags.string({
    description: 'Where to read the event type: header.<name>, body.<path> or query.<name>.',
  }),
  'custom-response': Flags.string({description: 'Body the ingest URL answers with.'}),
  'custom-response-type': Flags.string({description: 'Content type of --custom-response.', default: 'text/plain'}),
  'body-limit': Flags.integer({description: 'Largest accepted request body in bytes (default 10 MiB).', min: 1}),
}

const usage = (message: string) => new Errors.CLIError(message, {exit: 2})

function verifierBody(flags: Record<string, unknown>, verifier: string): Json {
  switch (verifier) {
    case 'hmac':
      if (!flags['hmac-header'] || !flags.secret) throw usage('verifier hmac needs --hmac-header and --secret')
      return {
        type: 'hmac',
        hmac: {
          header: flags['hmac-header'],
          hash: flags.hash ?? 'SHA256',
          encoding: flags.encoding ?? 'hex',
          secret: flags.secret,
        },
      }
    case 'basic_auth':
      if (!flags.username || !flags.password) throw usage('verifier basic_auth needs --username and --password')
      return {type: 'basic_auth', basic_auth: {username: flags.username, password: flags.password}}
    case 'api_key':
      if (!flags['key-header'] || !flags['key-value'])
        throw usage('verifier api_key needs --key-header and --key-value')
      return {type: 'api_key', api_key: {header_name: flags['key-header'], header_value: flags['key-value']}}
    default:
      return {type: 'noop'}
  }
}

/** Convoy's source body from flags; providers keep their secret in verifier.hmac.secret. */
export function sourceBody(flags: Record<string, unknown>, creating: boolean): Json {
  const named =
    (flags.provider as string | undefined) ??
    (PROVIDERS.includes(flags.verifier as string) ? (flags.verifier as string) : undefined)
  const body: Json = {name: flags.name}
  if (named) {
    if (!flags.secret) throw usage(`provider ${named} needs --secret (the signing secret the provider gave you)`)
    body.provider = named
    // The whole hmac block: Convoy requires header, hash and encoding beside the secret.
    body.verifier = {type: 'hmac', hmac: {...PROVIDER_HMAC[named], secret: flags.secret}}
  } else if (flags.verifier || creating) {
    body.verifier = verifierBody(flags, (flags.verifier as string | undefined) ?? 'noop')
  }
  if (creating) body.type = 'http'
  if (flags['idempotency-key']) body.idempotency_keys = flags['idempotency-key']
  if (flags['event-type-location']) body.event_type_location = flags['event-type-location']
  if (flags['custom-response'] !== undefined)
    body.custom_response = {body: flags['custom-response'], content_type: flags['custom-response-type']}
  if (flags['body-limit'] !== undefined) body.body_limit = flags['body-limit']
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
}

/**
 * A source update that changes only the flags given. Convoy's PUT requires `name` and `type`
 * and replaces the verifier with what is sent (none: verification off), so those are carried
 * over from the current source unless the flags change them.
 */
export function sourceUpdateBody(current: Json, changes: Json): Json {
  const body: Json = {name: current.name, type: current.type || 'http', ...changes}
  if (body.verifier === undefined && current.verifier?.type) body.verifier = withoutNulls(current.verifier)
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined && v !== null))
}
