import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {readJsonDataFlag} from '../../src/cli/data-flag.js'
import {parseJsonFlag} from '../../src/cli/subscription-flags.js'
import {testSubscriptionFilter} from '../../src/client/subscription-tests.js'

export default class TestFilter extends GatewayCommand {
  static summary =
    'Check whether a sample payload matches a subscription filter, with the matcher the gateway routes by.'
  static examples = [
    `<%= config.bin %> subscriptions test-filter --data '{"amount":1500}' --filter '{"amount":{"$gte":1000}}'`,
    `<%= config.bin %> subscriptions test-filter --data @event.json --filter '{}' --headers '{"x-tenant":"acme"}' --filter-headers '{"x-tenant":"acme"}'`,
  ]

  static flags = {
    data: Flags.string({description: 'Sample body as JSON (@file reads a file, - reads stdin).', required: true}),
    filter: Flags.string({description: 'Body filter as JSON, in Convoy syntax.', required: true}),
    headers: Flags.string({description: 'Sample headers as a JSON object.'}),
    'filter-headers': Flags.string({description: 'Header filter as JSON.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TestFilter)
    const matched = await testSubscriptionFilter(this.client(flags), {
      projectId: this.projectId(flags),
      data: readJsonDataFlag(flags.data),
      headers: flags.headers === undefined ? undefined : parseJsonFlag(flags.headers, '--headers'),
      filter: {
        body: parseJsonFlag(flags.filter, '--filter'),
        headers:
          flags['filter-headers'] === undefined
            ? undefined
            : parseJsonFlag(flags['filter-headers'], '--filter-headers'),
      },
    })
    this.output(flags.json, {match: matched}, () => (matched ? 'match' : 'no match'))
  }
}
