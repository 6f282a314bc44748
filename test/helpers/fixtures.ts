import {setTimeout as sleep} from 'node:timers/promises'

import {expect} from 'vitest'

import {qs, type TestRelay} from './relay.js'

/**
 * Statuses a delivery to a receiver answering 200 can be in right after its event was
 * created: Scheduled until a dispatcher picks it up, then Processing and Success.
 */
export const FRESH_DELIVERY_STATUSES = ['Scheduled', 'Processing', 'Success']

export async function createEndpoint(t: TestRelay, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.api('POST', t.p('/endpoints'), {name: 'ep', url: `${t.receiver.url}/hook`, ...body})
  expect(res.status, JSON.stringify(res.json)).toBe(201)
  return res.json.data.uid
}

export async function createSubscription(
  t: TestRelay,
  endpointId: string,
  filter: {event_types?: string[]; body?: Record<string, unknown>; headers?: Record<string, unknown>} = {},
): Promise<string> {
  const res = await t.api('POST', t.p('/subscriptions'), {
    name: `sub-${endpointId.slice(-6)}`,
    endpoint_id: endpointId,
    filter_config: {
      event_types: filter.event_types ?? ['*'],
      filter: {body: filter.body ?? {}, headers: filter.headers ?? {}},
    },
  })
  expect(res.status, JSON.stringify(res.json)).toBe(201)
  return res.json.data.uid
}

/** An endpoint with one subscription: the usual unit of routing. */
export async function subscribedEndpoint(
  t: TestRelay,
  filter: Parameters<typeof createSubscription>[2] = {},
  body: Record<string, unknown> = {},
) {
  const endpointId = await createEndpoint(t, body)
  const subscriptionId = await createSubscription(t, endpointId, filter)
  return {endpointId, subscriptionId}
}

export type EventKind = 'endpoint' | 'fanout' | 'broadcast'

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function sendEvent(t: TestRelay, kind: EventKind, body: Record<string, unknown>): Promise<any> {
  const path = kind === 'endpoint' ? '/events' : `/events/${kind}`
  const res = await t.api('POST', t.p(path), body)
  expect(res.status, JSON.stringify(res.json)).toBe(201)
  expect(res.json.message).toBe('Event queued successfully')
  return res.json.data
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function deliveriesOf(t: TestRelay, eventId: string): Promise<any[]> {
  const res = await t.api('GET', t.p('/eventdeliveries') + qs({eventId, perPage: 100}))
  expect(res.status).toBe(200)
  return res.json.data.content
}

/** Let the clock move on, so ids and timestamps made after this are strictly later. */
export async function nextMillisecond(): Promise<void> {
  const start = Date.now()
  while (Date.now() <= start + 1) await sleep(2)
}
