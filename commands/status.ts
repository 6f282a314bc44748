import {GatewayCommand} from '../src/cli/base-command.js'
import {EXIT} from '../src/cli/exit-codes.js'
import {renderFields} from '../src/cli/output.js'
import {describeStore, storeOf} from '../src/retention/store-size-text.js'

export default class Status extends GatewayCommand {
  static summary = 'Show which gateway and project are in use and whether the gateway answers.'
  static description = `Exits ${EXIT.GATEWAY_DOWN} when the gateway does not answer, so scripts can wait for it, and ${EXIT.GATEWAY_ERROR} when
something else answers at its address (an app, not a Caravan relay or Convoy server).`

  async run(): Promise<void> {
    const {flags} = await this.parse(Status)
    const s = this.settings(flags)
    const client = this.client(flags)
    const health = await client.health()
    // Listeners are project data: read them with the key, not from the public health check.
    let listeners: {name: string; source: string; target: string; connected_at: string; remote: string}[] = []
    if (health.ok && health.caravan && s.apiKey && s.project) {
      listeners =
        (await client
          .data<typeof listeners>('GET', `/api/v1/projects/${encodeURIComponent(s.project)}/listeners`)
          .catch(() => [])) ?? []
    }
    const result = {
      profile: s.profile,
      gateway: s.gateway,
      gateway_from: s.origin.gateway,
      project: s.project ?? null,
      project_from: s.origin.project,
      api_key: s.apiKey ? 'set' : 'unset',
      api_key_from: s.origin.apiKey,
      reachable: health.ok,
      // false: a Convoy(-compatible) server — management commands work, listen/inspect/replay do not.
      caravan: health.ok ? health.caravan : null,
      version: health.version ?? null,
      error: health.ok ? null : (health.error ?? 'unhealthy'),
      listeners,
      // Caravan relays: the store's size on disk and how many events it holds.
      store_size: storeOf(health.detail),
    }
    const c = this.color
    this.output(flags.json, result, () =>
      renderFields(
        [
          ['gateway', `${s.gateway} ${c.dim(`(${s.origin.gateway})`)}`],
          [
            'status',
            health.foreign
              ? c.red(`not a gateway (${result.error})`)
              : !health.ok
                ? c.red(`down (${result.error})`)
                : health.caravan
                  ? c.green(`up, caravan ${health.version ?? '?'}`)
                  : c.green('up, not a Caravan relay (Convoy API: no listen, inspect or replay)'),
          ],
          ['project', `${s.project ?? c.yellow('none')} ${c.dim(`(${s.origin.project})`)}`],
          ['api key', `${result.api_key} ${c.dim(`(${s.origin.apiKey})`)}`],
          ['profile', s.profile],
          ...(result.store_size ? [['store', describeStore(result.store_size)] as [string, string]] : []),
          [
            'listeners',
            listeners.length
              ? listeners
                  .map((l) => `${l.name} (source ${l.source} -> ${l.target}, from ${l.remote} since ${l.connected_at})`)
                  .join('\n           ')
              : '0',
          ],
        ],
        c,
      ),
    )
    if (health.foreign) {
      if (!flags.json) this.info('Something else answers there: point --gateway (or CARAVAN_GATEWAY) at the relay')
      this.exit(EXIT.GATEWAY_ERROR)
    }
    if (!health.ok) {
      if (!flags.json)
        this.info(
          s.gateway.includes('127.0.0.1') || s.gateway.includes('localhost')
            ? 'Start it with: caravan server'
            : 'Check --gateway or run caravan login',
        )
      this.exit(EXIT.GATEWAY_DOWN)
    }
  }
}
