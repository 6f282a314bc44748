import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {removeListener} from '../../src/client/listeners.js'

export default class Remove extends GatewayCommand {
  static summary = 'Remove a listener: its events stop queueing, and those waiting for it are discarded.'
  static description = `A caravan listen still running with that name stops, saying so. Running caravan listen again
registers it anew (without the discarded backlog).`

  static examples = ['<%= config.bin %> listeners remove laptop:default:localhost:4444/']
  static args = {
    listener: Args.string({description: 'listener name or ID (see caravan listeners list)', required: true}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Remove)
    const removed = await removeListener(this.client(flags), this.projectId(flags), args.listener)
    this.output(
      flags.json,
      removed,
      () =>
        `Removed listener ${removed.name}${removed.discarded ? ` (${removed.discarded} waiting event(s) discarded)` : ''}`,
    )
  }
}
