import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'

export default class Delete extends GatewayCommand {
  static summary = 'Delete a project.'
  static args = {id: Args.string({description: 'project ID', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Delete)
    await this.client(flags).call('DELETE', `/api/v1/projects/${encodeURIComponent(args.id)}`)
    this.output(flags.json, {deleted: args.id}, () => `Deleted project ${args.id}`)
  }
}
