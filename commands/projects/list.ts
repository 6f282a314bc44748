import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderList} from '../../src/cli/render.js'
import type {Json} from '../../src/client/resources.js'
import {withConvoyProjectsHint} from '../../src/client/projects.js'

export default class List extends GatewayCommand {
  static summary = 'List projects.'
  static description = `A Caravan relay lists the projects the API key can see. Convoy lists an organisation's projects only:
pass --org <organisation ID> with a personal API key (a project key CO.… cannot list projects).`

  static examples = [
    '<%= config.bin %> projects list',
    '<%= config.bin %> projects list --gateway https://convoy.example.com --org <orgID> --json',
  ]

  static flags = {
    org: Flags.string({description: "Organisation ID (Convoy's orgID; Convoy requires it, Caravan ignores it)."}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(List)
    const client = this.client(flags)
    const projects =
      (await withConvoyProjectsHint(
        client.data<Json[]>('GET', '/api/v1/projects', {query: {orgID: flags.org}}),
        flags.org,
      )) ?? []
    const current = this.settings(flags).project
    this.output(flags.json, projects, () =>
      renderList(
        'projects',
        projects.map((p) => ({...p, name: p.uid === current ? `${p.name} (current)` : p.name})),
        this.color,
      ),
    )
  }
}
