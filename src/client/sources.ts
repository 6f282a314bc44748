import {CaravanError} from '../errors.js'
import type {GatewayClient} from './gateway-client.js'
import type {Json} from './resources.js'

/**
 * The one rule that turns `--source NAME|ID` into a source, for every command (listen,
 * trigger, replay, events list, inspect): an ID first, then the name. A Caravan relay
 * keeps names unique; a Convoy server may not, and then the name is refused, not guessed.
 */
export function pickSource(all: Json[], ref: string): Json | undefined {
  const byId = all.find((s) => s.uid === ref)
  if (byId) return byId
  const named = all.filter((s) => s.name === ref)
  if (named.length > 1) {
    throw new CaravanError(
      'CARAVAN_ERR_CONFIG',
      `${named.length} sources are named "${ref}": ${named.map((s) => s.uid).join(', ')}`,
      {
        hint: 'pass the source ID instead of the name (caravan sources list), or rename one: caravan sources update ID --name NEW',
      },
    )
  }
  return named[0]
}

/** Every source of a project (sources are few; one page covers them). */
export async function listAllSources(client: GatewayClient, projectId: string): Promise<Json[]> {
  const page = await client.data<{content: Json[]}>(
    'GET',
    `/api/v1/projects/${encodeURIComponent(projectId)}/sources`,
    {query: {perPage: 1000}},
  )
  return page.content
}

/** Find a source by ID or name. */
export async function findSource(client: GatewayClient, projectId: string, ref: string): Promise<Json | undefined> {
  return pickSource(await listAllSources(client, projectId), ref)
}

export async function requireSource(
  client: GatewayClient,
  projectId: string,
  ref: string,
  hint = 'list them with: caravan sources list',
): Promise<Json> {
  const source = await findSource(client, projectId, ref)
  if (!source) throw new CaravanError('CARAVAN_ERR_NOT_FOUND', `no source named "${ref}"`, {hint})
  return source
}

/** The provider secret a source verifies with, when it has one. */
export function sourceSecret(source: Json): string | undefined {
  return source.verifier?.hmac?.secret || undefined
}

/**
 * `sources update|get NAME|ID`: the ID is looked up directly (one request, as before
 * names were accepted), a name through the resolver.
 */
export async function getSourceByRef(client: GatewayClient, projectId: string, ref: string): Promise<Json> {
  try {
    return await client.data<Json>(
      'GET',
      `/api/v1/projects/${encodeURIComponent(projectId)}/sources/${encodeURIComponent(ref)}`,
    )
  } catch (error) {
    if (!(error instanceof CaravanError) || error.code !== 'CARAVAN_ERR_NOT_FOUND') throw error
  }
  return requireSource(client, projectId, ref)
}
