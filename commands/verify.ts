import {Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {EXIT} from '../src/cli/exit-codes.js'
import {signatureFlags, signatureOptions} from '../src/cli/signature-flags.js'
import {CaravanError} from '../src/errors.js'
import {checkSignature} from '../src/signing/debug.js'

export default class Verify extends BaseCommand {
  static summary = 'Check a received signature against a payload; exits 0 when valid, 13 with the reason when not.'
  static examples = [
    `<%= config.bin %> verify --secret s3cr3t --signature 6b1c… --data '{"id":1}'`,
    `<%= config.bin %> verify --scheme standard --secret whsec_… --id msg_1 --timestamp 1700000000 --signature 'v1,…' --data @body.json`,
  ]

  static flags = {
    ...signatureFlags,
    signature: Flags.string({description: 'The received signature header value.', required: true}),
    tolerance: Flags.integer({
      description: 'Seconds a timestamp may be off (advanced/standard).',
      default: 300,
      min: 0,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Verify)
    const result = checkSignature({
      ...signatureOptions(flags, ['id', 'timestamp']),
      advanced: flags.advanced || undefined,
      signature: flags.signature,
      toleranceSeconds: flags.tolerance,
    })
    if (flags.json) process.stdout.write(JSON.stringify(result) + '\n')
    if (!result.valid) {
      if (flags.json) this.exit(EXIT.SIGNATURE_INVALID)
      throw new CaravanError('CARAVAN_ERR_SIGNATURE_INVALID', `signature is not valid: ${result.reason}`)
    }
    if (!flags.json) process.stdout.write('valid\n')
  }
}
