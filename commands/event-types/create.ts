import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {eventTypeBody, eventTypeFlags} from '../../src/cli/event-type-flags.js'
import {renderResource} from '../../src/cli/render.js'
import {createEventType} from '../../src/client/event-types.js'

export default class Create extends GatewayCommand {
  static summary = 'Declare an event type, optionally with the JSON Schema of its payload.'
  static description = `With a schema, and the project's validate_event_schemas setting on
(caravan projects update --validate-event-schemas), events of this type whose data does not
match are refused with a 400 naming the failing path.`
  static examples = [
    '<%= config.bin %> event-types create --name invoice.paid --category billing --description "An invoice was paid"',
    `<%= config.bin %> event-types create --name invoice.paid --schema '{"type":"object","required":["id"]}'`,
    '<%= config.bin %> event-types create --name invoice.paid --schema @invoice.schema.json',
  ]

  static flags = {
    ...eventTypeFlags,
    name: Flags.string({description: 'Event type name, e.g. invoice.paid (unique in the project).', required: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Create)
    const body = {name: flags.name, ...eventTypeBody(flags)}
    const created = await createEventType(this.client(flags), this.projectId(flags), body)
    this.output(flags.json, created, () => renderResource(created, this.color))
  }
}
