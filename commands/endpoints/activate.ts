import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Activate extends GatewayCommand {
  static summary = 'Activate a paused or disabled endpoint; waiting deliveries resume.'
  static args = {id: Args.string({description: 'endpoint ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Activate)
    const endpoints = new ProjectResource(this.client(flags), this.projectId(flags), 'endpoints')
    const endpoint = await endpoints.action('POST', args.id, 'activate')
    this.output(flags.json, endpoint, () => renderResource(endpoint, this.color, ['secrets', 'authentication']))
  }
}
