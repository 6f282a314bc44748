import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Retry extends GatewayCommand {
  static summary = 'Retry a Failure or Discarded delivery now, with a fresh retry budget.'
  static args = {id: Args.string({description: 'event delivery ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Retry)
    const delivery = await new ProjectResource(this.client(flags), this.projectId(flags), 'eventdeliveries').action(
      'PUT',
      args.id,
      'resend',
    )
    this.output(flags.json, delivery, () =>
      renderResource(
        {
          uid: delivery.uid,
          status: delivery.status,
          endpoint: delivery.endpoint_metadata?.name ?? delivery.endpoint_id,
        },
        this.color,
      ),
    )
  }
}
