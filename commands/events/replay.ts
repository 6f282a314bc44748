import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Replay extends GatewayCommand {
  static summary = 'Deliver a stored event again to the endpoints that received it (new deliveries).'
  static args = {id: Args.string({description: 'event ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Replay)
    const events = new ProjectResource(this.client(flags), this.projectId(flags), 'events')
    // Convoy's replay route takes no body.
    const envelope = await this.client(flags).call<Record<string, unknown>>(
      'PUT',
      events.path(`${encodeURIComponent(args.id)}/replay`),
    )
    this.output(flags.json, envelope.data ?? {message: envelope.message}, () => envelope.message)
  }
}
