import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {projectConfigBody, projectConfigFlags} from '../../src/cli/project-flags.js'
import {renderResource} from '../../src/cli/render.js'
import type {Json} from '../../src/client/resources.js'

export default class Create extends GatewayCommand {
  static summary = 'Create a project; prints its project API key once.'
  static flags = {
    ...projectConfigFlags,
    name: Flags.string({description: 'Project name.', required: true}),
    type: Flags.string({description: 'outgoing: you send events to endpoints; incoming: providers send to sources.', options: ['outgoing', 'incoming'], default: 'outgoing'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const created = await this.client(flags).data<{project: Json; api_key: Json}>('POST', '/api/v1/projects', {
      body: {name: flags.name, type: flags.type, config: projectConfigBody(flags)},
    })
    this.output(flags.json, created, () =>
      `${renderResource({uid: created.project.uid, name: created.project.name, type: created.project.type}, this.color)}\n\nProject API key (shown once): ${this.color.bold(created.api_key.key)}\nUse it: caravan projects use ${created.project.uid}`,
    )
  }
}
