import {EventEmitter} from 'node:events'

import type {Delivery, DeliveryAttempt, EventRecord} from '../store/types.js'

/**
 * The seam between the engine and its views: the ws stream, the `listen` printer and
 * the inspector all subscribe here.
 */
export interface RelayEventMap {
  'event.created': [{event: EventRecord; deliveries: Delivery[]}]
  'delivery.updated': [{delivery: Delivery; attempt?: DeliveryAttempt}]
  'deliveries.scheduled': [{projectId: string}]
}

export type RelayEvents = EventEmitter<RelayEventMap>

export function createRelayEvents(): RelayEvents {
  const emitter = new EventEmitter<RelayEventMap>()
  // Many views (listen, inspect, stream clients) may subscribe at once.
  emitter.setMaxListeners(0)
  return emitter
}

/**
 * A newly stored event: live views (feed, inspect, streams) see it, and the dispatcher wakes
 * when it has deliveries. Every route that stores one announces it this way.
 */
export function announceStored(
  events: RelayEvents,
  projectId: string,
  stored: {event: EventRecord; deliveries: Delivery[]},
): void {
  events.emit('event.created', stored)
  if (stored.deliveries.length) events.emit('deliveries.scheduled', {projectId})
}
