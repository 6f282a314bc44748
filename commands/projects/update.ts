import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {projectConfigBody, projectConfigFlags} from '../../src/cli/project-flags.js'
import {renderResource} from '../../src/cli/render.js'
import {projectUpdateBody} from '../../src/client/projects.js'
import type {Json} from '../../src/client/resources.js'

export default class Update extends GatewayCommand {
  static summary = 'Change a project name or config (the current project when no ID is given).'
  static args = {id: Args.string({description: 'project ID'})}
  static flags = {...projectConfigFlags, name: Flags.string({description: 'Project name.'})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Update)
    const id = args.id ?? this.projectId(flags)
    const client = this.client(flags)
    const body = await projectUpdateBody(client, id, {name: flags.name, config: projectConfigBody(flags)})
    const project = await client.data<Json>('PUT', `/api/v1/projects/${encodeURIComponent(id)}`, {body})
    this.output(flags.json, project, () => renderResource(project, this.color))
  }
}
