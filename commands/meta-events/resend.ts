import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Resend extends GatewayCommand {
  static summary = "Send a meta event again, signed with the project's current meta-event secret."
  static args = {id: Args.string({description: 'meta event ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Resend)
    const meta = await new ProjectResource(this.client(flags), this.projectId(flags), 'meta-events').action(
      'PUT',
      args.id,
      'resend',
    )
    this.output(flags.json, meta, () =>
      renderResource(
        {uid: meta.uid, event_type: meta.event_type, status: meta.status, attempts: meta.metadata?.num_trials ?? 0},
        this.color,
      ),
    )
  }
}
