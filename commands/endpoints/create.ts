import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {endpointBody, endpointFlags} from '../../src/cli/endpoint-flags.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Create extends GatewayCommand {
  static summary = 'Create an endpoint that receives webhooks.'
  static examples = [
    '<%= config.bin %> endpoints create --name billing --url http://localhost:4000/hooks',
    '<%= config.bin %> endpoints create --name crm --url https://crm.example.com/hooks --secret s3cr3t --rate-limit 100 --json',
  ]

  static flags = {
    ...endpointFlags,
    name: Flags.string({description: 'Endpoint name.', required: true}),
    url: Flags.string({description: 'Where webhooks are sent (http or https).', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const endpoint = await new ProjectResource(this.client(flags), this.projectId(flags), 'endpoints').create(
      endpointBody(flags),
    )
    this.output(flags.json, endpoint, () => renderResource(endpoint, this.color, ['secrets', 'authentication']))
  }
}
