import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'
import {CaravanError, isCaravanError} from '../../src/errors.js'

export default class Retry extends GatewayCommand {
  static summary = 'Retry a Failure or Discarded delivery now, with a fresh retry budget.'
  static args = {id: Args.string({description: 'event delivery ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Retry)
    const delivery = await new ProjectResource(this.client(flags), this.projectId(flags), 'eventdeliveries')
      .action('PUT', args.id, 'resend')
      .catch((error: unknown) => {
        // The API names its route (forceresend); the CLI user needs the command.
        if (
          isCaravanError(error) &&
          error.code === 'CARAVAN_ERR_BAD_REQUEST' &&
          /forceresend|Success/.test(error.message)
        )
          throw new CaravanError(error.code, error.message.replace(/ \(use forceresend for Success\)/, ''), {
            cause: error,
            hint: `to send a successful delivery again: caravan deliveries force-resend ${args.id}`,
          })
        throw error
      })
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
