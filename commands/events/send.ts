import {Errors, Flags} from '@oclif/core'
import {readFileSync} from 'node:fs'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {parsePairs} from '../../src/cli/crud.js'
import {renderResource} from '../../src/cli/render.js'
import {ProjectResource} from '../../src/client/resources.js'

function readData(value: string): unknown {
  const text = value === '-' ? readFileSync(0, 'utf8') : value.startsWith('@') ? readFileSync(value.slice(1), 'utf8') : value
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new Errors.CLIError(`--data is not valid JSON: ${(error as Error).message}`, {exit: 2})
  }
}

export default class Send extends GatewayCommand {
  static summary = 'Send an event: stored, then fanned out to every matching subscription.'
  static description = `Without --endpoint or --owner the event is broadcast to all subscriptions whose filters match
(Convoy's broadcast route); --endpoint sends to one endpoint's subscriptions, --owner to all endpoints of an owner.`

  static examples = [
    `<%= config.bin %> events send --type invoice.paid --data '{"id":"in_1","amount":100}'`,
    '<%= config.bin %> events send --type user.created --data @payload.json --endpoint <id>',
    'cat payload.json | <%= config.bin %> events send --type order.created --data - --idempotency-key order-42 --json',
  ]

  static flags = {
    type: Flags.string({description: 'Event type, e.g. invoice.paid.', required: true}),
    data: Flags.string({description: 'JSON payload, @file to read a file, or - for stdin.', required: true}),
    endpoint: Flags.string({description: 'Send only to this endpoint ID.', exclusive: ['owner']}),
    owner: Flags.string({description: 'Fan out to every endpoint with this owner ID.', exclusive: ['endpoint']}),
    'idempotency-key': Flags.string({description: 'A repeated key is stored as a duplicate and not delivered again.'}),
    header: Flags.string({char: 'H', description: 'Custom header sent with the event, "Name: value" (repeatable).', multiple: true}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Send)
    const body = {
      event_type: flags.type,
      data: readData(flags.data),
      idempotency_key: flags['idempotency-key'],
      custom_headers: flags.header ? parsePairs(flags.header, ':', '--header') : undefined,
      endpoint_id: flags.endpoint,
      owner_id: flags.owner,
    }
    const route = flags.endpoint ? '' : flags.owner ? 'fanout' : 'broadcast'
    const event = await new ProjectResource(this.client(flags), this.projectId(flags), 'events').create(body, route)
    // Convoy answers with no data; Caravan returns the stored event.
    if (!event) {
      this.output(flags.json, {accepted: true}, () => 'Event accepted by the gateway')
      return
    }
    this.output(flags.json, event, () =>
      renderResource(
        {uid: event.uid, event_type: event.event_type, status: event.is_duplicate_event ? 'duplicate' : event.status, endpoints: (event.endpoints ?? []).join(', ') || '(no matching subscription)', created_at: event.created_at},
        this.color,
      ),
    )
  }
}
