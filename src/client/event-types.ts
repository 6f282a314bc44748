import {CaravanError} from '../errors.js'
import type {GatewayClient} from './gateway-client.js'
import type {Json} from './resources.js'

/**
 * Convoy's event types (`/event-types`), as a Caravan relay or Convoy serves them. Convoy lists
 * them unpaged and addresses one by its uid; a name is looked up in the list first, so names
 * work against Convoy too.
 */
const path = (projectId: string, rest = '') =>
  `/api/v1/projects/${encodeURIComponent(projectId)}/event-types${rest ? `/${rest}` : ''}`

export function listEventTypes(client: GatewayClient, projectId: string): Promise<Json[]> {
  return client.data<Json[]>('GET', path(projectId))
}

/** The uid of the event type `ref` names (its uid or its name). */
export async function eventTypeUid(client: GatewayClient, projectId: string, ref: string): Promise<string> {
  const all = await listEventTypes(client, projectId)
  const found = all.find((e) => e.uid === ref) ?? all.find((e) => e.name === ref)
  if (!found)
    throw new CaravanError('CARAVAN_ERR_NOT_FOUND', `no event type ${ref} in project ${projectId}`, {
      hint: 'see the event types with: caravan event-types list',
    })
  return String(found.uid)
}

export function createEventType(client: GatewayClient, projectId: string, body: Json): Promise<Json> {
  return client.data<Json>('POST', path(projectId), {body})
}

export async function updateEventType(client: GatewayClient, projectId: string, ref: string, body: Json) {
  const uid = await eventTypeUid(client, projectId, ref)
  return client.data<Json>('PUT', path(projectId, encodeURIComponent(uid)), {body})
}

export async function deprecateEventType(client: GatewayClient, projectId: string, ref: string) {
  const uid = await eventTypeUid(client, projectId, ref)
  return client.data<Json>('POST', path(projectId, `${encodeURIComponent(uid)}/deprecate`))
}

/** Send an OpenAPI document (its text, as read) to be imported as event types. */
export function importEventTypes(client: GatewayClient, projectId: string, spec: string): Promise<Json[]> {
  return client.data<Json[]>('POST', path(projectId, 'import'), {body: {spec}})
}
