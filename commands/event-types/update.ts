import {Args, Errors} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {eventTypeBody, eventTypeFlags} from '../../src/cli/event-type-flags.js'
import {renderResource} from '../../src/cli/render.js'
import {updateEventType} from '../../src/client/event-types.js'

export default class Update extends GatewayCommand {
  static summary = 'Change an event type’s category, description or JSON Schema; only the flags given change.'
  static examples = [
    '<%= config.bin %> event-types update invoice.paid --description "Paid in full"',
    '<%= config.bin %> event-types update invoice.paid --schema @invoice.schema.json',
  ]

  static args = {id: Args.string({description: 'event type name or uid', required: true})}
  static flags = eventTypeFlags

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Update)
    const body = eventTypeBody(flags)
    if (Object.keys(body).length === 0)
      throw new Errors.CLIError('nothing to change: give --category, --description or --schema', {exit: 2})
    const updated = await updateEventType(this.client(flags), this.projectId(flags), args.id, body)
    this.output(flags.json, updated, () => renderResource(updated, this.color))
  }
}
