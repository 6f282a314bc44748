import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../src/cli/base-command.js'
import {renderTable} from '../src/cli/output.js'
import {requireSource} from '../src/client/sources.js'
import {triggerSample} from '../src/client/trigger.js'
import {CaravanError} from '../src/errors.js'
import {listSamples} from '../src/ingest/samples.js'

export default class Trigger extends GatewayCommand {
  static summary = "Send a realistic provider webhook (signed with the source's secret) to a source."
  static examples = [
    '<%= config.bin %> trigger --list',
    '<%= config.bin %> trigger github push --source github',
    '<%= config.bin %> trigger stripe payment_intent.succeeded --source stripe --json',
  ]

  static args = {
    provider: Args.string({description: 'github, stripe, shopify or standard-webhooks'}),
    event: Args.string({description: 'event name, e.g. push, invoice.paid, orders/create'}),
  }

  static flags = {
    source: Flags.string({char: 's', description: 'Source to send to (default: the source named after the provider).'}),
    list: Flags.boolean({description: 'List the sample events.', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Trigger)
    if (flags.list || !args.provider) {
      const samples = listSamples()
      this.output(flags.json, samples, () =>
        renderTable(
          samples,
          [
            {header: 'PROVIDER', get: (s) => s.provider},
            {header: 'EVENT', get: (s) => s.event},
            {header: 'DESCRIPTION', get: (s) => s.description},
          ],
          this.color,
        ),
      )
      return
    }
    if (!args.event) this.error('name the event too, e.g. caravan trigger github push (see --list)', {exit: 2})
    const client = this.client(flags)
    const source = await requireSource(client, this.projectId(flags), flags.source ?? args.provider)
    const result = await triggerSample(source, args.provider, args.event, client)
    if (!result.signed)
      this.info(`note: source ${source.name} has no ${args.provider} secret; the sample was sent unsigned`)
    this.output(
      flags.json,
      result,
      () =>
        `Sent ${args.provider} ${args.event} to ${result.url}: HTTP ${result.status}${result.event_id ? `, event ${result.event_id}` : ''}`,
    )
    if (result.status >= 400)
      throw new CaravanError(
        'CARAVAN_ERR_BAD_REQUEST',
        `the ingest URL answered HTTP ${result.status}: ${result.response}`,
      )
  }
}
