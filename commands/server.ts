import {Errors, Flags} from '@oclif/core'

import {BaseCommand} from '../src/cli/base-command.js'
import {DEFAULT_HOST, DEFAULT_PORT, defaultDataDir} from '../src/config/paths.js'
import {runDaemon} from '../src/relay/run-daemon.js'
import {parseRetention} from '../src/retention/duration.js'
import {parseSubnet} from '../src/delivery/address-rules.js'
import {explainPortInUse} from '../src/client/port-owner.js'
import {durationFlag} from '../src/cli/duration.js'
import {parsePortalOrigin} from '../src/web/static.js'

export default class Server extends BaseCommand {
  static summary = 'Run the Caravan relay: ingest, store, API and delivery.'
  static description = `Starts the relay daemon on 127.0.0.1:5005 by default, with its SQLite store in the XDG data dir.
On first start it creates an admin API key and a default project and records them in the local profile, so
other commands work with no set-up. Prints a ready line on stderr. SIGINT/SIGTERM drain and stop it (a second
signal forces).

One relay per data dir: a second one exits 15 naming the running one (pid, port). While the store cannot take
writes (disk full, locked by another process) requests get 503 with Retry-After and /healthz reports the store
as failing; nothing acknowledged is lost. An error nothing handled exits 70 for a supervisor to restart it.`

  static examples = [
    '<%= config.bin %> server',
    '<%= config.bin %> server --port 6000 --data-dir ./.caravan',
    'CARAVAN_API_KEY=ci-key <%= config.bin %> server --port 0 --json',
  ]

  static flags = {
    host: Flags.string({description: 'Address to bind.', default: DEFAULT_HOST}),
    port: Flags.integer({
      description: 'Port to listen on (0 picks a free one).',
      default: DEFAULT_PORT,
      min: 0,
      max: 65_535,
    }),
    'data-dir': Flags.string({description: 'Where the store lives (env CARAVAN_DATA_DIR; default the XDG data dir).'}),
    'api-key': Flags.string({description: 'Fix the admin API key (env CARAVAN_API_KEY) instead of generating one.'}),
    'public-url': Flags.string({
      description: 'Public base URL of this relay, used in ingest URLs (e.g. behind a proxy).',
    }),
    'listener-ttl': durationFlag({
      description:
        'Remove listeners (caravan listen registrations) not connected for this long, with their queued events: 7d, 12h, 30m (default 7d; 0 keeps them).',
    }),
    'allow-subnet': Flags.string({
      description:
        'On a public relay (--public-url or a non-loopback bind), still allow delivery to this private subnet (repeatable), e.g. 10.0.0.0/8.',
      multiple: true,
    }),
    'svix-jwt-secret': Flags.string({
      description:
        "Also accept HS256 JWTs signed with this secret on the Svix API, as svix-server does (env CARAVAN_SVIX_JWT_SECRET or svix-server's SVIX_JWT_SECRET). A token's sub names the project; any other sub means the default project.",
    }),
    'portal-origin': Flags.string({
      description:
        'An origin allowed to embed the customer portal (/portal) in an iframe (repeatable; env CARAVAN_PORTAL_ORIGINS, comma-separated), e.g. https://app.example.com. Default: this relay and localhost.',
      multiple: true,
    }),
    retention: Flags.string({
      description:
        "Prune finished events (all deliveries Success/Failure/Discarded) older than this, e.g. 30d or 720h; a project's config.retention_policy.policy overrides it. Default: keep everything.",
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Server)
    for (const subnet of flags['allow-subnet'] ?? []) {
      try {
        parseSubnet(subnet)
      } catch (error) {
        throw new Errors.CLIError(`--allow-subnet: ${(error as Error).message}`, {exit: 2})
      }
    }
    if (flags.retention !== undefined) {
      try {
        parseRetention(flags.retention)
      } catch (error) {
        throw new Errors.CLIError(`--retention: ${(error as Error).message}`, {exit: 2})
      }
    }
    const portalOrigins = readPortalOrigins(flags['portal-origin'], process.env.CARAVAN_PORTAL_ORIGINS)
    const relay = await runDaemon(
      {
        listenerTtlMs: flags['listener-ttl'],
        host: flags.host,
        port: flags.port,
        dataDir: flags['data-dir'] ?? defaultDataDir(),
        apiKey: flags['api-key'] ?? process.env.CARAVAN_API_KEY,
        publicUrl: flags['public-url'],
        allowSubnets: flags['allow-subnet'],
        retention: flags.retention,
        portalOrigins,
        svixJwtSecret:
          flags['svix-jwt-secret'] ?? (process.env.CARAVAN_SVIX_JWT_SECRET || process.env.SVIX_JWT_SECRET || undefined),
      },
      (line) => this.info(line),
    ).catch((error: unknown) => explainPortInUse(error, flags.host, flags.port))
    if (flags.json) {
      // One JSON line scripts can read for the address and key.
      process.stdout.write(
        JSON.stringify({
          url: relay.url,
          data_dir: relay.dataDir,
          project_id: relay.defaultProjectId,
          api_key: relay.adminKey,
        }) + '\n',
      )
    }
    this.info(`Caravan relay ready on ${relay.url} (data: ${relay.dataDir}, project: ${relay.defaultProjectId})`)
    await relay.closed
    this.info('Caravan relay stopped')
  }
}

/** --portal-origin (repeatable) or else CARAVAN_PORTAL_ORIGINS, each checked; a bad one is a usage error naming it. */
function readPortalOrigins(flags: string[] | undefined, env: string | undefined): string[] | undefined {
  const [source, values] = flags?.length
    ? ['--portal-origin', flags]
    : ['CARAVAN_PORTAL_ORIGINS', (env ?? '').split(',').filter((v) => v.trim())]
  if (values.length === 0) return undefined
  return values.map((value) => {
    try {
      return parsePortalOrigin(value)
    } catch (error) {
      throw new Errors.CLIError(`${source}: ${(error as Error).message}`, {exit: 2})
    }
  })
}
