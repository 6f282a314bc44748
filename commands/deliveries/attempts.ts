import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderList} from '../../src/cli/render.js'
import type {Json} from '../../src/client/resources.js'

export default class Attempts extends GatewayCommand {
  static summary = 'List the delivery attempts of an event delivery (request, response, latency, error).'
  static args = {id: Args.string({description: 'event delivery ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Attempts)
    const attempts = await this.client(flags).data<Json[]>(
      'GET',
      this.projectPath(flags, `eventdeliveries/${encodeURIComponent(args.id)}/deliveryattempts`),
    )
    this.output(flags.json, attempts, () => renderList('attempts', attempts ?? [], this.color))
  }
}
