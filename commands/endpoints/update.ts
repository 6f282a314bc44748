import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {endpointBody, endpointFlags, endpointUpdateBody} from '../../src/cli/endpoint-flags.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Update extends GatewayCommand {
  static summary = 'Change an endpoint; only the flags given are changed.'
  static args = {id: Args.string({description: 'endpoint ID', required: true})}
  static flags = {
    ...endpointFlags,
    name: Flags.string({description: 'Endpoint name.'}),
    url: Flags.string({description: 'Where webhooks are sent (http or https).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Update)
    const endpoints = new ProjectResource(this.client(flags), this.projectId(flags), 'endpoints')
    const endpoint = await endpoints.update(
      args.id,
      endpointUpdateBody(await endpoints.get(args.id), endpointBody(flags)),
    )
    this.output(flags.json, endpoint, () => renderResource(endpoint, this.color, ['secrets', 'authentication']))
  }
}
