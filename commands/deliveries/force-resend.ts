import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'

export default class ForceResend extends GatewayCommand {
  static summary = 'Send successful deliveries again (e.g. after the receiver lost data).'
  static strict = false
  static args = {ids: Args.string({description: 'event delivery IDs', required: true})}
  static examples = ['<%= config.bin %> deliveries force-resend <id> <id>']

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(ForceResend)
    const ids = argv as string[]
    const envelope = await this.client(flags).call<{resent: string[]; failed: {id: string; reason: string}[]}>(
      'POST',
      this.projectPath(flags, 'eventdeliveries/forceresend'),
      {body: {ids}},
    )
    const data = envelope.data ?? {resent: [], failed: []}
    this.output(flags.json, envelope.data ?? {message: envelope.message}, () =>
      [`Force resend: ${envelope.message}`, ...(data.failed ?? []).map((f) => `  ${f.id}: ${f.reason}`)].join('\n'),
    )
  }
}
