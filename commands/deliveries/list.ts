import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'
import {gatewayDate} from '../../src/cli/dates.js'

export default class List extends makeListCommand({
  kind: 'deliveries',
  collection: 'eventdeliveries',
  summary: 'List event deliveries, newest first.',
  description:
    'Against Convoy, only the last 7 days are listed unless --since/--until are given (Caravan lists everything).',
  examples: [
    '<%= config.bin %> deliveries list --status Scheduled',
    '<%= config.bin %> deliveries list --status Failure --status Retry --json',
  ],
  filters: {
    status: Flags.string({
      description: 'Only deliveries in this status (repeatable).',
      multiple: true,
      options: ['Scheduled', 'Processing', 'Success', 'Failure', 'Retry', 'Discarded'],
    }),
    endpoint: Flags.string({description: 'Only deliveries to this endpoint ID (repeatable).', multiple: true}),
    event: Flags.string({description: 'Only deliveries of this event ID.'}),
    type: Flags.string({description: 'Only deliveries of this event type.'}),
    since: Flags.string({
      description: 'Only deliveries created at or after this date (2026-11-01, 2026-11-01T15:04:05 UTC, or ISO).',
    }),
    until: Flags.string({description: 'Only deliveries created at or before this date.'}),
  },
  query: (f) => ({
    status: f.status as string[] | undefined,
    endpointId: f.endpoint as string[] | undefined,
    eventId: f.event as string | undefined,
    event_type: f.type as string | undefined,
    startDate: gatewayDate(f.since as string | undefined, '--since'),
    endDate: gatewayDate(f.until as string | undefined, '--until'),
  }),
}) {}
