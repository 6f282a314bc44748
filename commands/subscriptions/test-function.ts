import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {readDataFlag, readJsonDataFlag} from '../../src/cli/data-flag.js'
import {testSubscriptionFunction} from '../../src/client/subscription-tests.js'

export default class TestFunction extends GatewayCommand {
  static summary = 'Run a transformation function (transform(payload)) on a sample payload, in the gateway’s sandbox.'
  static description =
    'Prints the transformed payload; what the function logged with console.log goes to stderr. A function that throws, or runs over its time or memory limit, is an error naming why (exit 6).'

  static examples = [
    `<%= config.bin %> subscriptions test-function --payload '{"amount":12}' --function 'function transform(p) { return {cents: p.amount * 100} }'`,
    '<%= config.bin %> subscriptions test-function --payload @event.json --function @transform.js --json',
  ]

  static flags = {
    payload: Flags.string({description: 'Sample payload as JSON (@file reads a file, - reads stdin).', required: true}),
    function: Flags.string({
      description: 'JavaScript defining transform(payload) (@file reads a file).',
      required: true,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(TestFunction)
    const result = await testSubscriptionFunction(this.client(flags), {
      projectId: this.projectId(flags),
      payload: readJsonDataFlag(flags.payload, '--payload'),
      function: readDataFlag(flags.function, '--function').toString('utf8'),
    })
    if (!flags.json) for (const line of result.log) this.info(`log: ${line}`)
    this.output(flags.json, result, () => JSON.stringify(result.payload, null, 2))
  }
}
