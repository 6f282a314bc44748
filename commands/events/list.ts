import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'
import {gatewayDate} from '../../src/cli/dates.js'
import {requireSource} from '../../src/client/sources.js'

export default class List extends makeListCommand({
  kind: 'events',
  collection: 'events',
  summary: 'List events, newest first.',
  description: `Against Convoy: without --since/--until only the last 7 days are listed (Caravan lists everything), and
--type is not applied (Convoy's event list has no event-type filter; deliveries list --type works on both).`,
  examples: [
    '<%= config.bin %> events list',
    '<%= config.bin %> events list --since 2026-11-01 --source github --json',
  ],
  filters: {
    endpoint: Flags.string({description: 'Only events delivered to this endpoint ID.'}),
    source: Flags.string({
      char: 's',
      description: 'Only events received by this source (name or ID).',
      exclusive: ['source-id'],
    }),
    'source-id': Flags.string({description: 'Only events received by this source ID.'}),
    type: Flags.string({description: 'Only events of this type (Caravan gateways only).'}),
    'idempotency-key': Flags.string({description: 'Only events with this idempotency key.'}),
    since: Flags.string({
      description: 'Only events created at or after this date (2026-11-01, 2026-11-01T15:04:05 UTC, or ISO).',
    }),
    until: Flags.string({description: 'Only events created at or before this date.'}),
  },
  query: async (f, {client, projectId}) => ({
    endpointId: f.endpoint as string | undefined,
    // Convoy filters by source ID only: resolve a name here, so the same flag works on both.
    sourceId: f.source
      ? (await requireSource(client, projectId, f.source as string)).uid
      : (f['source-id'] as string | undefined),
    event_type: f.type as string | undefined,
    idempotencyKey: f['idempotency-key'] as string | undefined,
    startDate: gatewayDate(f.since as string | undefined, '--since'),
    endDate: gatewayDate(f.until as string | undefined, '--until'),
  }),
}) {}
