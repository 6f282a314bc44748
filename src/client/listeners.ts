import {CaravanError} from '../errors.js'
import type {GatewayClient} from './gateway-client.js'

/** A registered listener as `GET /listeners?all=true` returns it. */
export interface RegisteredListenerJson {
  listener_id: string
  name: string
  source: string
  target: string
  event_types: string[]
  created_at: string
  last_seen_at: string | null
  waiting: number
  connected: boolean
  connected_at: string | null
  remote: string | null
}

const base = (projectId: string) => `/api/v1/projects/${encodeURIComponent(projectId)}/listeners`

/** Every listener registered in the project, connected or not. */
export async function listListeners(client: GatewayClient, projectId: string): Promise<RegisteredListenerJson[]> {
  const all = await client.data<RegisteredListenerJson[]>('GET', base(projectId), {query: {all: 'true'}})
  // A gateway before listener registries lists only connected ones (no `connected` field).
  return (all ?? []).map((l) => ({...l, connected: l.connected ?? true}))
}

/** Remove a listener by name or ID; its queued events are discarded. */
export async function removeListener(
  client: GatewayClient,
  projectId: string,
  ref: string,
): Promise<{listener_id: string; name: string; discarded: number}> {
  const all = await listListeners(client, projectId)
  const found = all.find((l) => l.listener_id === ref) ?? all.find((l) => l.name === ref)
  if (!found)
    throw new CaravanError('CARAVAN_ERR_NOT_FOUND', `no listener named "${ref}"`, {
      hint: 'list them with: caravan listeners list',
    })
  return client.data('DELETE', `${base(projectId)}/${encodeURIComponent(found.listener_id)}`)
}
