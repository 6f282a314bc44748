import {Args, Flags} from '@oclif/core'

import {GatewayCommand} from '../src/cli/base-command.js'
import {readDataFlag} from '../src/cli/data-flag.js'
import {renderTable} from '../src/cli/output.js'
import {requireSource} from '../src/client/sources.js'
import {prepareTrigger, triggerSample} from '../src/client/trigger.js'
import {CaravanError} from '../src/errors.js'
import {listSamples} from '../src/ingest/samples.js'

export default class Trigger extends GatewayCommand {
  static summary = "Send a realistic provider webhook (signed with the source's secret) to a source."
  static examples = [
    '<%= config.bin %> trigger --list',
    '<%= config.bin %> trigger github push --source github',
    '<%= config.bin %> trigger stripe payment_intent.succeeded --source stripe --json',
    '<%= config.bin %> trigger stripe invoice.paid --override data.object.amount_paid=5000 --override livemode=true',
    '<%= config.bin %> trigger github push --data @push.json',
  ]

  static args = {
    provider: Args.string({description: 'github, stripe, shopify or standard-webhooks'}),
    event: Args.string({description: 'event name, e.g. push, invoice.paid, orders/create'}),
  }

  static flags = {
    source: Flags.string({char: 's', description: 'Source to send to (default: the source named after the provider).'}),
    list: Flags.boolean({description: 'List the sample events.', default: false}),
    override: Flags.string({
      description:
        'Change the sample body: key.path=value (dot paths, [n] or .n for list items; the value is JSON when it parses, else a string). Repeatable.',
      multiple: true,
    }),
    data: Flags.string({
      description:
        "Send this body instead of the sample (@file reads a file, - reads stdin); still signed with the provider's scheme.",
    }),
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
    if (!args.event)
      throw new CaravanError('CARAVAN_ERR_USAGE', `name the ${args.provider} event too`, {
        hint: `e.g. caravan trigger github push; caravan trigger --list shows every sample`,
      })
    const payload = {data: flags.data === undefined ? undefined : readDataFlag(flags.data), overrides: flags.override}
    // Wrong provider, event or override: a usage error before the gateway is asked anything.
    prepareTrigger(args.provider, args.event, payload)
    const client = this.client(flags)
    const source = await requireSource(client, this.projectId(flags), flags.source ?? args.provider)
    const result = await triggerSample(source, args.provider, args.event, client, payload)
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
