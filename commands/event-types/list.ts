import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderList} from '../../src/cli/render.js'
import {listEventTypes} from '../../src/client/event-types.js'

export default class List extends GatewayCommand {
  static summary = 'List the project’s event types (deprecated ones too).'
  static description = 'Convoy lists event types unpaged; --json prints each with its json_schema.'
  static examples = ['<%= config.bin %> event-types list', '<%= config.bin %> event-types list --json']

  async run(): Promise<void> {
    const {flags} = await this.parse(List)
    const rows = await listEventTypes(this.client(flags), this.projectId(flags))
    this.output(flags.json, rows, () => renderList('event types', rows, this.color))
  }
}
