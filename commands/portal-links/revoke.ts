import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {ProjectResource} from '../../src/client/resources.js'

export default class Revoke extends GatewayCommand {
  static summary = 'Revoke (delete) a portal link.'
  static args = {id: Args.string({description: 'portal link ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Revoke)
    await new ProjectResource(this.client(flags), this.projectId(flags), 'portal-links').action(
      'PUT',
      args.id,
      'revoke',
    )
    this.output(flags.json, {revoked: args.id}, () => `Revoked portal link ${args.id}`)
  }
}
