import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {endpointBody, endpointFlags} from '../../src/cli/endpoint-flags.js'
import {renderResource} from '../../src/cli/render.js'
import {type Json, ProjectResource} from '../../src/client/resources.js'

/** The secret the endpoint signs with now (the newest one not expired). */
function liveSecret(endpoint: Json): string | undefined {
  const secrets = Array.isArray(endpoint.secrets) ? (endpoint.secrets as Json[]) : []
  return secrets.filter((s) => !s.expires_at).at(-1)?.value ?? secrets.at(-1)?.value
}

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
    'print-secret': Flags.boolean({
      description: 'Print only the signing secret (e.g. SECRET=$(caravan endpoints create … --print-secret)).',
      default: false,
      exclusive: ['json'],
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const endpoint = await new ProjectResource(this.client(flags), this.projectId(flags), 'endpoints').create(
      endpointBody(flags),
    )
    const secret = liveSecret(endpoint)
    if (flags['print-secret']) {
      this.output(false, secret, () => secret ?? '')
      return
    }
    // The secret once, as one field (the secrets list repeats it with metadata; --json has it all).
    this.output(flags.json, endpoint, () =>
      renderResource({...endpoint, secret}, this.color, ['secrets', 'authentication']),
    )
  }
}
