import {Flags} from '@oclif/core'

import {GatewayCommand} from '../../src/cli/base-command.js'
import {gatewayDate} from '../../src/cli/dates.js'

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
    endpoint: Flags.string({description: 'Only deliveries to this endpoint ID (repeatable).', multiple: true}),
    event: Flags.string({description: 'Only deliveries of this event ID.'}),
    type: Flags.string({description: 'Only deliveries of this event type.'}),
    since: Flags.string({
      description: 'Only deliveries created at or after this date (2026-11-01, 2026-11-01T15:04:05 UTC, or ISO).',
    }),
    until: Flags.string({description: 'Only deliveries created at or before this date.'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(BatchRetry)
    const envelope = await this.client(flags).call<{retried?: number; skipped?: number}>(
      'POST',
      this.projectPath(flags, 'eventdeliveries/batchretry'),
      {
        // The filters travel as query parameters, as on Convoy's list route; the route takes no body.
        query: {
          status: flags.status,
          endpointId: flags.endpoint,
          eventId: flags.event,
          event_type: flags.type,
          startDate: gatewayDate(flags.since, '--since'),
          endDate: gatewayDate(flags.until, '--until'),
        },
      },
    )
    this.output(flags.json, envelope.data ?? {message: envelope.message}, () => `Batch retry: ${envelope.message}`)
  }
}
