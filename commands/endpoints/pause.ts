import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Pause extends GatewayCommand {
  static summary = 'Pause an endpoint: nothing is sent to it until it is activated.'
  static args = {id: Args.string({description: 'endpoint ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Pause)
    const endpoints = new ProjectResource(this.client(flags), this.projectId(flags), 'endpoints')
    // Convoy's pause route toggles; only call it when the endpoint is not paused already.
    const current = await endpoints.get(args.id)
    const endpoint = current.status === 'paused' ? current : await endpoints.action('PUT', args.id, 'pause')
    this.output(flags.json, endpoint, () => renderResource(endpoint, this.color, ['secrets', 'authentication']))
  }
}
