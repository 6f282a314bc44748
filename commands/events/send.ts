import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {parsePairs} from '../../src/cli/crud.js'
import {readJsonDataFlag} from '../../src/cli/data-flag.js'
import {EXIT} from '../../src/cli/exit-codes.js'
import {renderList, renderResource} from '../../src/cli/render.js'
import {needsCaravan} from '../../src/client/caravan-only.js'
import {type Json, ProjectResource} from '../../src/client/resources.js'
import {parseDuration, waitForDeliveries} from '../../src/client/wait.js'
import {CaravanError} from '../../src/errors.js'

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
    header: Flags.string({
      char: 'H',
      description: 'Custom header sent with the event, "Name: value" (repeatable).',
      multiple: true,
    }),
    wait: Flags.boolean({
      description: `Wait until every delivery is final; exit 0 only if all succeeded (${EXIT.DELIVERY_FAILED} if any failed, ${EXIT.TIMEOUT} on timeout).`,
      default: false,
    }),
    timeout: Flags.string({description: 'How long --wait waits, e.g. 30s, 2m.', default: '30s', dependsOn: ['wait']}),
    expect: Flags.integer({
      description: `With --wait: how many deliveries must succeed; fewer (e.g. no matching subscription) exits ${EXIT.DELIVERY_FAILED}. 0 accepts an event nobody subscribes to.`,
      default: 1,
      min: 0,
      dependsOn: ['wait'],
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Send)
    const body = {
      event_type: flags.type,
      data: readJsonDataFlag(flags.data),
      idempotency_key: flags['idempotency-key'],
      custom_headers: flags.header ? parsePairs(flags.header, ':', '--header') : undefined,
      endpoint_id: flags.endpoint,
      owner_id: flags.owner,
    }
    const route = flags.endpoint ? '' : flags.owner ? 'fanout' : 'broadcast'
    const event = await new ProjectResource(this.client(flags), this.projectId(flags), 'events').create(body, route)
    if (flags.wait) {
      await this.waitFor(flags, event)
      return
    }
    // Convoy answers with no data; Caravan returns the stored event.
    if (!event) {
      this.output(flags.json, {accepted: true}, () => 'Event accepted by the gateway')
      return
    }
    this.output(flags.json, event, () =>
      renderResource(
        {
          uid: event.uid,
          event_type: event.event_type,
          status: event.is_duplicate_event ? 'duplicate' : event.status,
          endpoints: (event.endpoints ?? []).join(', ') || '(no matching subscription)',
          created_at: event.created_at,
        },
        this.color,
      ),
    )
  }

  private async waitFor(
    flags: {json: boolean; timeout: string; expect: number; gateway?: string; 'api-key'?: string; project?: string},
    event: Json | undefined,
  ): Promise<void> {
    if (!event?.uid) {
      throw needsCaravan(
        'events send --wait',
        this.client(flags).gateway,
        'the event was accepted, but Convoy answers event creation with no data, so there is no event ID to follow',
        'drop --wait (the event is queued), then watch it with caravan events list / caravan deliveries list',
      )
    }
    const timeoutMs = parseDuration(flags.timeout)
    const deliveries = new ProjectResource(this.client(flags), this.projectId(flags), 'eventdeliveries')
    const c = this.color
    const result = await waitForDeliveries(deliveries, event.uid, {
      timeoutMs,
      onChange: (d) => {
        if (!flags.json)
          this.info(
            `${d.uid}  ${d.endpoint_metadata?.name ?? d.endpoint_id}  ${d.status}${d.description ? `  ${c.dim(d.description)}` : ''}`,
          )
      },
    })
    const summary = result.deliveries.map((d) => ({
      uid: d.uid,
      endpoint_id: d.endpoint_id,
      endpoint: d.endpoint_metadata?.name ?? '',
      status: d.status,
      attempts: d.metadata?.num_trials ?? 0,
      description: d.description ?? '',
    }))
    this.output(flags.json, {event_id: event.uid, timed_out: result.timedOut, deliveries: summary}, () =>
      summary.length
        ? renderList('deliveries', result.deliveries, c)
        : `Event ${event.uid}: no matching subscription, nothing to deliver`,
    )
    if (result.timedOut)
      throw new CaravanError(
        'CARAVAN_ERR_TIMEOUT',
        `deliveries of event ${event.uid} were not final after ${flags.timeout}`,
      )
    if (summary.length < flags.expect) {
      throw new CaravanError(
        'CARAVAN_ERR_DELIVERY_FAILED',
        summary.length === 0
          ? `event ${event.uid} matched no subscription: nothing was delivered`
          : `event ${event.uid} went to ${summary.length} endpoint${summary.length === 1 ? '' : 's'}, fewer than --expect ${flags.expect}`,
        {
          hint: `route it with caravan subscriptions create --name <name> --endpoint <id> --event-types ${event.event_type ?? '<type>'}${summary.length === 0 ? ', or pass --expect 0 when no delivery is fine' : ''}`,
        },
      )
    }
    const failed = summary.filter((d) => d.status !== 'Success')
    if (failed.length) {
      throw new CaravanError(
        'CARAVAN_ERR_DELIVERY_FAILED',
        `${failed.length} of ${summary.length} deliveries of event ${event.uid} did not succeed`,
        {hint: `inspect them with: caravan deliveries attempts ${failed[0].uid}`},
      )
    }
  }
}
