import {CaravanError} from '../errors.js'
import type {GatewayClient} from './gateway-client.js'
import type {Json} from './resources.js'

/** Find a source by name or id (sources are few; one page covers them). */
export async function findSource(client: GatewayClient, projectId: string, ref: string): Promise<Json | undefined> {
  const page = await client.data<{content: Json[]}>(
    'GET',
    `/api/v1/projects/${encodeURIComponent(projectId)}/sources`,
    {query: {perPage: 1000}},
  )
  return page.content.find((s) => s.uid === ref || s.name === ref)
}

export async function requireSource(client: GatewayClient, projectId: string, ref: string): Promise<Json> {
  const source = await findSource(client, projectId, ref)
  if (!source)
    throw new CaravanError('CARAVAN_ERR_NOT_FOUND', `no source named "${ref}"`, {
      hint: 'list them with: caravan sources list',
    })
  return source
}

/** The provider secret a source verifies with, when it has one. */
export function sourceSecret(source: Json): string | undefined {
  return source.verifier?.hmac?.secret || undefined
}
