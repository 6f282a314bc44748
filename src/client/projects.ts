import {CaravanError, isCaravanError} from '../errors.js'
import type {GatewayClient} from './gateway-client.js'
import {isObject, withoutNulls} from './json.js'
import type {Json} from './resources.js'

/**
 * `GET/POST /projects` on Convoy are organisation routes: they need `orgID` and a personal
 * API key. Without --org the error says so instead of a bare "orgID is required".
 */
export async function withConvoyProjectsHint<T>(call: Promise<T>, org: string | undefined): Promise<T> {
  try {
    return await call
  } catch (error) {
    // A refused key stays "refused" (with its own hint); Convoy's 400 (no orgID) gets told apart.
    if (org || !isCaravanError(error) || !['CARAVAN_ERR_BAD_REQUEST', 'CARAVAN_ERR_NOT_FOUND'].includes(error.code))
      throw error
    throw new CaravanError(error.code, error.message, {
      cause: error,
      hint: 'against Convoy, pass --org <organisation ID> with a personal API key (project keys only reach their own project: caravan projects get <id>)',
    })
  }
}

/** `patch` over `base`, objects merged key by key; arrays and scalars replaced; undefined skipped. */
export function mergeConfig(base: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch === undefined ? withoutNulls(base) : patch
  const out: Json = isObject(base) ? withoutNulls(base) : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value !== undefined) out[key] = mergeConfig(out[key], value)
  }
  return out
}

/**
 * The body of `PUT /projects/{id}` that changes only what `changes` names. Convoy requires
 * `name` and replaces the whole `config` when one is sent (and reads `config.signature`), so
 * both are filled in from the current project; Caravan merges either way.
 */
export async function projectUpdateBody(
  client: GatewayClient,
  id: string,
  changes: {name?: string; config?: Json},
): Promise<Json> {
  const needsCurrent = changes.name === undefined || changes.config !== undefined
  const current = needsCurrent
    ? await client.data<Json>('GET', `/api/v1/projects/${encodeURIComponent(id)}`)
    : undefined
  const body: Json = {name: changes.name ?? current?.name}
  if (changes.config) body.config = mergeConfig(current?.config ?? {}, changes.config)
  return body
}
