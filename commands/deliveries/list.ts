import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'
import {deliveryFilterFlags, deliveryFilterQuery} from '../../src/cli/delivery-filters.js'

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
    ...deliveryFilterFlags,
  },
  query: (f) => deliveryFilterQuery(f),
}) {}
