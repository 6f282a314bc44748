import {CaravanError, isCaravanError} from '../errors.js'
import type {GatewayClient} from './gateway-client.js'
import type {Json} from './resources.js'

/**
 * The project to use when none is selected: the key's own (a project key sees one), else
 * the gateway's only or `default` project; otherwise the error lists them.
 */
export async function discoverProject(client: GatewayClient): Promise<string> {
  let projects: Json[]
  try {
    projects = (await client.data<Json[]>('GET', '/api/v1/projects')) ?? []
  } catch (error) {
    if (
      isCaravanError(error) &&
      (error.code === 'CARAVAN_ERR_GATEWAY_DOWN' || error.code === 'CARAVAN_ERR_UNAUTHORIZED')
    )
      throw error
    throw new CaravanError(
      'CARAVAN_ERR_CONFIG',
      `no project selected, and ${client.gateway} did not list its projects`,
      {
        hint: 'pass --project <id> or set CARAVAN_PROJECT',
        cause: error,
      },
    )
  }
  if (!Array.isArray(projects)) projects = []
  if (projects.length === 1) return String(projects[0].uid)
  const defaults = projects.filter((p) => p.name === 'default')
  if (defaults.length === 1) return String(defaults[0].uid)
  if (projects.length === 0)
    throw new CaravanError(
      'CARAVAN_ERR_CONFIG',
      `no project selected, and the API key sees no project on ${client.gateway}`,
      {
        hint: 'create one (caravan projects create --name NAME) or use a project key',
      },
    )
  const list = projects.map((p) => `${p.uid} (${p.name})`).join(', ')
  throw new CaravanError(
    'CARAVAN_ERR_CONFIG',
    `no project selected; ${client.gateway} has ${projects.length}: ${list}`,
    {
      hint: 'pick one with --project <id> (or CARAVAN_PROJECT)',
    },
  )
}
