import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'

export default class List extends makeListCommand({
  kind: 'events',
  collection: 'events',
  summary: 'List events, newest first.',
  examples: ['<%= config.bin %> events list', '<%= config.bin %> events list --since 2026-11-01 --type invoice.paid --json'],
  filters: {
    endpoint: Flags.string({description: 'Only events delivered to this endpoint ID.'}),
    source: Flags.string({char: 's', description: 'Only events received by this source (name).'}),
    'source-id': Flags.string({description: 'Only events received by this source ID.'}),
    type: Flags.string({description: 'Only events of this type.'}),
    'idempotency-key': Flags.string({description: 'Only events with this idempotency key.'}),
    since: Flags.string({description: 'Only events created at or after this date (ISO, e.g. 2026-11-01T00:00:00).'}),
    until: Flags.string({description: 'Only events created at or before this date.'}),
  },
  query: (f) => ({
    endpointId: f.endpoint as string | undefined,
    sourceId: f['source-id'] as string | undefined,
    source: f.source as string | undefined,
    event_type: f.type as string | undefined,
    idempotencyKey: f['idempotency-key'] as string | undefined,
    startDate: f.since as string | undefined,
    endDate: f.until as string | undefined,
  }),
}) {}
