import {Args} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderResource} from '../../src/cli/render.js'
import {deprecateEventType} from '../../src/client/event-types.js'

export default class Deprecate extends GatewayCommand {
  static summary = 'Mark an event type deprecated (it stays listed, with deprecated_at).'
  static examples = ['<%= config.bin %> event-types deprecate invoice.voided']
  static args = {id: Args.string({description: 'event type name or uid', required: true})}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Deprecate)
    const deprecated = await deprecateEventType(this.client(flags), this.projectId(flags), args.id)
    this.output(flags.json, deprecated, () => renderResource(deprecated, this.color))
  }
}
