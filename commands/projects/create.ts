import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {projectConfigBody, projectConfigFlags} from '../../src/cli/project-flags.js'
import {renderResource} from '../../src/cli/render.js'
import {withConvoyProjectsHint} from '../../src/client/projects.js'
import type {Json} from '../../src/client/resources.js'

export default class Create extends GatewayCommand {
  static summary = 'Create a project; prints its project API key once.'
  static description = 'Against Convoy, pass --org <organisation ID> and use a personal API key.'
  static flags = {
    ...projectConfigFlags,
    name: Flags.string({description: 'Project name.', required: true}),
    type: Flags.string({
      description: 'outgoing: you send events to endpoints; incoming: providers send to sources.',
      options: ['outgoing', 'incoming'],
      default: 'outgoing',
    }),
    org: Flags.string({description: "Organisation ID (Convoy's orgID; Convoy requires it, Caravan ignores it)."}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const created = await withConvoyProjectsHint(
      this.client(flags).data<{project: Json; api_key: Json | null}>('POST', '/api/v1/projects', {
        query: {orgID: flags.org},
        body: {name: flags.name, type: flags.type, config: projectConfigBody(flags)},
      }),
      flags.org,
    )
    const {project, api_key: apiKey} = created
    this.output(flags.json, created, () =>
      [
        renderResource({uid: project?.uid, name: project?.name, type: project?.type}, this.color),
        '',
        apiKey?.key
          ? `Project API key (shown once): ${this.color.bold(apiKey.key)}`
          : 'The gateway returned no project API key.',
        ...(project?.uid ? [`Use it: caravan projects use ${project.uid}`] : []),
      ].join('\n'),
    )
  }
}
