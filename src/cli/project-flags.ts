import {Flags} from '@oclif/core'

import type {Json} from '../client/resources.js'

/** Project config flags shared by `projects create` and `projects update`. */
export const projectConfigFlags = {
  'retry-strategy': Flags.string({description: 'Retry strategy.', options: ['linear', 'exponential']}),
  'retry-duration': Flags.integer({description: 'Base retry interval in seconds.', min: 1}),
  'retry-count': Flags.integer({description: 'Retries after the first attempt.', min: 0}),
  'signature-header': Flags.string({description: 'Header carrying the signature (default X-Convoy-Signature).'}),
  'signature-scheme': Flags.string({
    description: 'How deliveries are signed.',
    options: ['convoy', 'standard-webhooks'],
  }),
  'signature-hash': Flags.string({description: 'HMAC hash for Convoy signatures.', options: ['SHA256', 'SHA512']}),
  'signature-encoding': Flags.string({description: 'Encoding of Convoy signatures.', options: ['hex', 'base64']}),
  'disable-endpoint': Flags.boolean({description: 'Disable endpoints whose deliveries keep failing.', allowNo: true}),
  'meta-event-url': Flags.string({description: 'URL told about endpoint.disabled / eventdelivery.* meta events.'}),
  'meta-event-secret': Flags.string({description: 'Secret that signs meta events.'}),
  'validate-event-schemas': Flags.boolean({
    description: 'Refuse events whose data does not match their event type’s JSON Schema (Caravan relays).',
    allowNo: true,
  }),
}

export function projectConfigBody(flags: Record<string, unknown>): Json | undefined {
  const config: Json = {}
  if (flags['retry-strategy'] || flags['retry-duration'] !== undefined || flags['retry-count'] !== undefined) {
    config.strategy = {
      type: flags['retry-strategy'],
      duration: flags['retry-duration'],
      retry_count: flags['retry-count'],
    }
  }
  if (
    flags['signature-header'] ||
    flags['signature-scheme'] ||
    flags['signature-hash'] ||
    flags['signature-encoding']
  ) {
    config.signature = {
      header: flags['signature-header'],
      scheme: flags['signature-scheme'],
      versions:
        flags['signature-hash'] || flags['signature-encoding']
          ? [{hash: flags['signature-hash'] ?? 'SHA256', encoding: flags['signature-encoding'] ?? 'hex'}]
          : undefined,
    }
  }
  if (flags['disable-endpoint'] !== undefined) config.disable_endpoint = flags['disable-endpoint']
  if (flags['validate-event-schemas'] !== undefined) config.validate_event_schemas = flags['validate-event-schemas']
  if (flags['meta-event-url'] !== undefined) {
    config.meta_event = {
      is_enabled: Boolean(flags['meta-event-url']),
      type: 'http',
      url: flags['meta-event-url'],
      secret: flags['meta-event-secret'],
    }
  }
  return Object.keys(config).length ? config : undefined
}
