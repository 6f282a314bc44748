import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {type Json, ProjectResource} from '../../src/client/resources.js'

export default class ExpireSecret extends GatewayCommand {
  static summary = 'Rotate an endpoint secret: the old one keeps signing beside the new one for --expiration hours.'
  static examples = [
    '<%= config.bin %> endpoints expire-secret <id> --expiration 24',
    '<%= config.bin %> endpoints expire-secret <id> --secret new-s3cr3t --json',
  ]
  static args = {id: Args.string({description: 'endpoint ID', required: true})}
  static flags = {
    expiration: Flags.integer({
      description: 'Hours the old secret stays valid (0 = at once).',
      default: 0,
      min: 0,
      max: 720,
    }),
    secret: Flags.string({description: 'The new secret (generated when omitted).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(ExpireSecret)
    const endpoints = new ProjectResource(this.client(flags), this.projectId(flags), 'endpoints')
    const endpoint = await this.client(flags).data<Json>(
      'PUT',
      endpoints.path(`${encodeURIComponent(args.id)}/expire_secret`),
      {
        body: {expiration: flags.expiration, secret: flags.secret},
      },
    )
    const secrets = (endpoint.secrets ?? []) as {value: string; expires_at: string}[]
    const live = secrets.find((s) => !s.expires_at)
    this.output(flags.json, endpoint, () =>
      [
        `New secret: ${this.color.bold(live?.value ?? '?')}`,
        ...secrets.filter((s) => s.expires_at).map((s) => `Old secret ${s.value.slice(0, 6)}… expires ${s.expires_at}`),
      ].join('\n'),
    )
  }
}
