import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {deliveryFilterFlags, deliveryFilterQuery} from '../../src/cli/delivery-filters.js'

export default class BatchRetry extends GatewayCommand {
  static summary = 'Retry every delivery matching the filters (default: all Failure deliveries).'
  static examples = [
    '<%= config.bin %> deliveries batch-retry --status Failure',
    '<%= config.bin %> deliveries batch-retry --status Discarded --endpoint <id> --since 2026-11-20',
  ]

  static flags = {
    status: Flags.string({
      description: 'Only deliveries in this status (repeatable).',
      multiple: true,
      options: ['Failure', 'Discarded'],
      default: ['Failure'],
    }),
    ...deliveryFilterFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(BatchRetry)
    const envelope = await this.client(flags).call<{retried?: number; skipped?: number}>(
      'POST',
      this.projectPath(flags, 'eventdeliveries/batchretry'),
      {
        // The filters travel as query parameters, as on Convoy's list route; the route takes no body.
        query: deliveryFilterQuery(flags),
      },
    )
    this.output(flags.json, envelope.data ?? {message: envelope.message}, () => `Batch retry: ${envelope.message}`)
  }
}
