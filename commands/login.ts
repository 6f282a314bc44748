import {Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {runnableHint} from '../src/cli/bin-name.js'
import {GatewayClient} from '../src/client/gateway-client.js'
import type {Json} from '../src/client/resources.js'
import {isLocalGateway, normalizeGateway} from '../src/config/paths.js'
import {LOCAL_PROFILE, ProfileStore} from '../src/config/profiles.js'
import {CaravanError, isCaravanError} from '../src/errors.js'

/** Convoy lists projects per organisation only, so a Convoy login must name its project. */
async function withLoginProjectHint<T>(call: Promise<T>): Promise<T> {
  try {
    return await call
  } catch (error) {
    // A refused key stays "refused"; Convoy's 400 (no orgID) gets told apart.
    if (!isCaravanError(error) || !['CARAVAN_ERR_BAD_REQUEST', 'CARAVAN_ERR_NOT_FOUND'].includes(error.code))
      throw error
    throw new CaravanError(error.code, `the gateway would not list projects for this key: ${error.message}`, {
      cause: error,
      hint: 'pass --project <id>: a Convoy project API key (CO.…) is checked against its own project',
    })
  }
}

/**
 * Login talks to the gateway being logged in to, not to the current profile's: its hints
 * say what to check about that gateway and key (never "start the local relay").
 */
async function withLoginHints(gateway: string, call: () => Promise<void>): Promise<void> {
  try {
    await call()
  } catch (error) {
    if (!isCaravanError(error)) throw error
    if (error.code === 'CARAVAN_ERR_GATEWAY_DOWN')
      throw new CaravanError(error.code, error.message, {
        cause: error,
        hint: `check the --gateway URL: nothing answers at ${gateway}${isLocalGateway(gateway) ? ' (start a relay there with: caravan server)' : ''}`,
      })
    if (error.code === 'CARAVAN_ERR_UNAUTHORIZED')
      throw new CaravanError(error.code, error.message, {
        cause: error,
        hint: `check --api-key: use a key of the gateway at ${gateway} (a Caravan relay prints its admin key on first start, or takes one from CARAVAN_API_KEY; Convoy keys start with CO.)`,
      })
    throw error
  }
}

export default class Login extends BaseCommand {
  static summary = 'Save a gateway (remote Caravan relay or Convoy server) and its API key as the current profile.'
  static description = 'The key is checked against the gateway before it is saved (file mode 0600).'
  static examples = [
    '<%= config.bin %> login --gateway https://convoy.example.com --api-key CO.xxx --project <id>',
    '<%= config.bin %> login --gateway https://hooks.example.com --api-key $KEY --profile staging',
  ]

  static flags = {
    gateway: Flags.string({description: 'Gateway base URL.', required: true}),
    'api-key': Flags.string({description: 'API key (Convoy project keys start with CO.).', required: true}),
    project: Flags.string({description: 'Project ID to use.'}),
    profile: Flags.string({description: 'Profile name to save under.', default: 'default'}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Login)
    if (flags.profile === LOCAL_PROFILE) {
      throw new CaravanError(
        'CARAVAN_ERR_CONFIG',
        `the "${LOCAL_PROFILE}" profile belongs to the local relay; pick another --profile`,
      )
    }
    const gateway = normalizeGateway(flags.gateway)
    const client = new GatewayClient(gateway, flags['api-key'])
    // A project key may only read its own project; an admin key can list them all.
    let project = flags.project
    let choices: Json[] = []
    await withLoginHints(gateway, async () => {
      if (project) await client.data('GET', `/api/v1/projects/${encodeURIComponent(project)}`)
      else {
        const listed = await withLoginProjectHint(client.data<Json[]>('GET', '/api/v1/projects'))
        choices = Array.isArray(listed) ? listed : []
        // A project key (CO.…) sees only its own project: that is the one to use.
        if (choices.length === 1) project = choices[0].uid
      }
    })
    await new ProfileStore().setCurrent(flags.profile, {gateway, apiKey: flags['api-key'], project})
    this.output(
      flags.json,
      {profile: flags.profile, gateway, project: project ?? null},
      () => `Logged in to ${gateway} as profile "${flags.profile}"${project ? ` (project ${project})` : ''}`,
    )
    if (!project && !flags.json && choices.length > 1)
      this.info(
        runnableHint(
          `${choices.length} projects: pick one with caravan projects use <id> (${choices.map((p) => `${p.uid} ${p.name}`).join(', ')})`,
        ),
      )
  }
}
