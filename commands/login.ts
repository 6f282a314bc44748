import {Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {GatewayClient} from '../src/client/gateway-client.js'
import {LOCAL_PROFILE, ProfileStore} from '../src/config/profiles.js'
import {CaravanError, isCaravanError} from '../src/errors.js'

/** Convoy lists projects per organisation only, so a Convoy login must name its project. */
async function withLoginProjectHint(call: Promise<unknown>): Promise<void> {
  try {
    await call
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
    const gateway = flags.gateway.replace(/\/+$/, '')
    try {
      new URL(gateway)
    } catch {
      throw new CaravanError('CARAVAN_ERR_CONFIG', `--gateway is not a URL: "${flags.gateway}"`)
    }
    const client = new GatewayClient(gateway, flags['api-key'])
    // A project key may only read its own project; an admin key can list them all.
    if (flags.project) await client.data('GET', `/api/v1/projects/${encodeURIComponent(flags.project)}`)
    else await withLoginProjectHint(client.data('GET', '/api/v1/projects'))
    const profiles = new ProfileStore()
    profiles.set(flags.profile, {gateway, apiKey: flags['api-key'], project: flags.project})
    profiles.use(flags.profile)
    this.output(
      flags.json,
      {profile: flags.profile, gateway, project: flags.project ?? null},
      () =>
        `Logged in to ${gateway} as profile "${flags.profile}"${flags.project ? ` (project ${flags.project})` : ''}`,
    )
  }
}
