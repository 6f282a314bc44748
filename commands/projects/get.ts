import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import type {Json} from '../../src/client/resources.js'

export default class Get extends GatewayCommand {
  static summary = 'Show a project and its config (the current project when no ID is given).'
  static args = {id: Args.string({description: 'project ID'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Get)
    const id = args.id ?? this.projectId(flags)
    const project = await this.client(flags).data<Json>('GET', `/api/v1/projects/${encodeURIComponent(id)}`)
    this.output(flags.json, project, () => renderResource(project, this.color))
  }
}
