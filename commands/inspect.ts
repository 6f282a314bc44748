import {Flags} from '@oclif/core'

import {GatewayCommand} from '../src/cli/base-command.js'
import {EXIT} from '../src/cli/exit-codes.js'
import {discoverProject} from '../src/client/project-discovery.js'
import {launchInspector} from '../src/tui/launch.js'

export default class Inspect extends GatewayCommand {
  static summary = 'Interactive terminal inspector: live events, details, replay (also edited), filters.'
  static description = `Full-screen view of the stored events, newest at the bottom, following new ones live.
Keys: ↑/↓ j/k move, PgUp/PgDn, g/G ends, enter/d details, esc back, r replay to the running listener's target,
e edit in $EDITOR then replay, / filter (text, status:Failure, type:invoice.*, source:github), f follow,
c copy as curl, q quit. Needs a terminal: without one it exits ${EXIT.NO_TTY} (use caravan events list --json).`

  static examples = [
    '<%= config.bin %> inspect',
    '<%= config.bin %> inspect --source github',
    '<%= config.bin %> inspect --gateway https://hooks.example.com --api-key $KEY',
  ]

  static flags = {
    source: Flags.string({char: 's', description: 'Only events of this source.'}),
    limit: Flags.integer({description: 'How many recent events to load at start.', default: 500, min: 1, max: 5000}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Inspect)
    const settings = this.settings(flags)
    const client = this.client(flags)
    const copied = await launchInspector({
      client,
      // A gateway and key but no project (a fresh laptop): the key's or the gateway's own, as listen does.
      projectId: () => settings.project ?? (settings.apiKey ? discoverProject(client) : this.projectId(flags)),
      apiKey: settings.apiKey,
      source: flags.source,
      gateway: settings.gateway,
      limit: flags.limit,
    })
    for (const curl of copied) process.stdout.write(curl + '\n')
  }
}
