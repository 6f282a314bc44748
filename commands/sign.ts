import {Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {signatureFlags, signatureOptions} from '../src/cli/signature-flags.js'
import {computeSignatureHeaders} from '../src/signing/debug.js'

export default class Sign extends BaseCommand {
  static summary = 'Compute the signature headers Caravan would send for a payload.'
  static examples = [
    `<%= config.bin %> sign --secret s3cr3t --data '{"id":1}'`,
    `<%= config.bin %> sign --secret s3cr3t --advanced --timestamp 1700000000 --data @body.json`,
    `echo -n '{"id":1}' | <%= config.bin %> sign --scheme standard --secret whsec_... --id msg_1 --json`,
  ]

  static flags = {
    ...signatureFlags,
    header: Flags.string({description: 'Signature header name (convoy).', default: 'X-Convoy-Signature'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Sign)
    const headers = computeSignatureHeaders({
      ...signatureOptions(flags),
      advanced: flags.advanced,
      header: flags.header,
    })
    this.output(flags.json, headers, () =>
      Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    )
  }
}
