import {Flags} from '@oclif/core'
import {readFileSync} from 'node:fs'

import {CaravanError} from '../errors.js'
import {readDataFlag} from './data-flag.js'

export const signatureFlags = {
  scheme: Flags.string({
    description: 'convoy: X-Convoy-Signature (simple or advanced); standard: Standard Webhooks.',
    options: ['convoy', 'standard'],
    default: 'convoy',
  }),
  secret: Flags.string({description: 'Signing secret (whsec_… for the standard scheme).', required: true}),
  data: Flags.string({description: 'Payload; @file reads a file; omit to read stdin. Signed byte for byte.'}),
  timestamp: Flags.integer({description: 'Unix timestamp in seconds (advanced/standard; default now).'}),
  id: Flags.string({description: 'Message id (standard: webhook-id).'}),
  advanced: Flags.boolean({description: 'Convoy advanced format t=<unix>,v1=<sig>.', default: false}),
  hash: Flags.string({description: 'HMAC hash (convoy).', options: ['SHA256', 'SHA512'], default: 'SHA256'}),
  encoding: Flags.string({description: 'Signature encoding (convoy).', options: ['hex', 'base64'], default: 'hex'}),
}

/** The exact bytes to sign: --data, @file, or stdin (never re-encoded). */
export function readPayload(data: string | undefined): Buffer {
  if (data !== undefined) return readDataFlag(data)
  if (process.stdin.isTTY)
    throw new CaravanError('CARAVAN_ERR_USAGE', 'no payload: pass --data, --data @file, or pipe it on stdin')
  return readFileSync(0)
}

/**
 * The signing inputs `sign` and `verify` share, read from their flags. What a scheme needs
 * and was not given is a usage error, found before any payload is read.
 */
export function signatureOptions(
  flags: {
    scheme: string
    secret: string
    data?: string
    timestamp?: number
    id?: string
    hash: string
    encoding: string
  },
  needs: ('id' | 'timestamp')[] = ['id'],
) {
  if (flags.scheme === 'standard') {
    const missing = needs.filter((name) => flags[name] === undefined).map((name) => `--${name}`)
    if (missing.length)
      throw new CaravanError(
        'CARAVAN_ERR_USAGE',
        `the standard scheme signs "id.timestamp.body": pass ${missing.join(' and ')} (webhook-id${needs.includes('timestamp') ? ', webhook-timestamp' : ''})`,
        {hint: 'e.g. --id msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'},
      )
  }
  return {
    scheme: flags.scheme as 'convoy' | 'standard',
    secret: flags.secret,
    payload: readPayload(flags.data),
    timestamp: flags.timestamp,
    id: flags.id,
    hash: flags.hash as 'SHA256' | 'SHA512',
    encoding: flags.encoding as 'hex' | 'base64',
  }
}
