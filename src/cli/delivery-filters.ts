import {Flags} from '@oclif/core'

import type {Query} from '../client/gateway-client.js'
import {gatewayDate} from './dates.js'

/** The delivery filters `deliveries list` and `deliveries batch-retry` share (besides --status). */
export const deliveryFilterFlags = {
  endpoint: Flags.string({description: 'Only deliveries to this endpoint ID (repeatable).', multiple: true}),
  event: Flags.string({description: 'Only deliveries of this event ID.'}),
  type: Flags.string({description: 'Only deliveries of this event type.'}),
  since: Flags.string({
    description: 'Only deliveries created at or after this date (2026-11-01, 2026-11-01T15:04:05 UTC, or ISO).',
  }),
  until: Flags.string({description: 'Only deliveries created at or before this date.'}),
}

/** Those filters as Convoy's eventdeliveries query parameters. */
export function deliveryFilterQuery(f: {
  status?: string[]
  endpoint?: string[]
  event?: string
  type?: string
  since?: string
  until?: string
}): Query {
  return {
    status: f.status,
    endpointId: f.endpoint,
    eventId: f.event,
    event_type: f.type,
    startDate: gatewayDate(f.since, '--since'),
    endDate: gatewayDate(f.until, '--until'),
  }
}
