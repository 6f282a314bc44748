import {GatewayCommand} from '../src/cli/base-command.js'
import {EXIT} from '../src/cli/exit-codes.js'
import {renderFields} from '../src/cli/output.js'
import {describeStore, storeOf} from '../src/retention/store-size-text.js'
import {type RegisteredListenerJson, listListeners} from '../src/client/listeners.js'
import {isLoopbackGateway, notARelay} from '../src/client/port-owner.js'

export default class Status extends GatewayCommand {
  static summary = 'Show which gateway and project are in use and whether the gateway answers.'
  static description = `Exits ${EXIT.GATEWAY_DOWN} when the gateway does not answer, so scripts can wait for it, and ${EXIT.GATEWAY_ERROR} when
something else answers at its address (an app, not a Caravan relay or Convoy server).`

  async run(): Promise<void> {
    const {flags} = await this.parse(Status)
    const s = this.settings(flags)
    const client = this.client(flags)
    const health = await client.health()
    // On loopback, any HTTP answer that is not a relay means the relay's port is taken.
    const foreign =
      health.foreign || (isLoopbackGateway(s.gateway) && !health.ok && /^HTTP \d+/.test(health.error ?? ''))
    // Listeners are project data: read them with the key, not from the public health check.
    let listeners: {name: string; source: string; target: string; connected_at: string; remote: string}[] = []
    // Registered but not connected: their events queue up unseen unless status shows them.
    let away: RegisteredListenerJson[] = []
    if (health.ok && health.caravan && s.apiKey && s.project) {
      listeners =
        (await client
          .data<typeof listeners>('GET', `/api/v1/projects/${encodeURIComponent(s.project)}/listeners`)
          .catch(() => [])) ?? []
      away = (await listListeners(client, s.project).catch(() => [])).filter((l) => !l.connected)
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
      store_failing: health.storeFailing ?? null,
      listeners_not_connected: away.map((l) => ({
        name: l.name,
        source: l.source,
        target: l.target,
        last_seen_at: l.last_seen_at,
        waiting: l.waiting,
      })),
    }
    const c = this.color
    // Continuation lines line up under the values (labels are padded to the longest one).
    const indent = ' '.repeat((away.length ? 'not connected'.length : 'listeners'.length) + 2)
    this.output(flags.json, result, () =>
      renderFields(
        [
          ['gateway', `${s.gateway} ${c.dim(`(${s.origin.gateway})`)}`],
          [
            'status',
            foreign
              ? c.red(`not a gateway (${result.error})`)
              : !health.ok
                ? c.red(`down (${result.error})`)
                : health.storeFailing
                  ? c.yellow(`up, caravan ${health.version ?? '?'}, but its store is failing: ${health.storeFailing}`)
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
                  .join(`\n${indent}`)
              : '0',
          ],
          ...(away.length
            ? [
                [
                  'not connected',
                  away
                    .map(
                      (l) =>
                        `${l.name} (source ${l.source} -> ${l.target}, ${l.waiting} waiting, last seen ${l.last_seen_at ?? 'never'})`,
                    )
                    .join(`\n${indent}`),
                ] as [string, string],
              ]
            : []),
        ],
        c,
      ),
    )
    if (foreign) {
      if (!flags.json) {
        // The same words as `server` and `listen`, so no command sends the user to another in circles.
        const problem = isLoopbackGateway(s.gateway)
          ? notARelay(s.gateway, result.error ?? undefined, 'CARAVAN_ERR_GATEWAY')
          : undefined
        this.info(
          problem
            ? `${problem.message}\nHint: ${problem.hint}`
            : 'Something else answers there: point --gateway (or CARAVAN_GATEWAY) at the relay',
        )
      }
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
