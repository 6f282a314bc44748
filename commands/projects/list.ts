import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderList} from '../../src/cli/render.js'
import type {Json} from '../../src/client/resources.js'

export default class List extends GatewayCommand {
  static summary = 'List projects.'

  async run(): Promise<void> {
    const {flags} = await this.parse(List)
    const projects = (await this.client(flags).data<Json[]>('GET', '/api/v1/projects')) ?? []
    const current = this.settings(flags).project
    this.output(flags.json, projects, () =>
      renderList('projects', projects.map((p) => ({...p, name: p.uid === current ? `${p.name} (current)` : p.name})), this.color),
    )
  }
}
