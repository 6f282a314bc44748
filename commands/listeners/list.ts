import {GatewayCommand} from '../../src/cli/base-command.js'
import {renderTable, shortTime} from '../../src/cli/output.js'
import {listListeners} from '../../src/client/listeners.js'

export default class List extends GatewayCommand {
  static summary = 'List the listeners caravan listen registered, connected or not.'
  static description = `Each distinct caravan listen (name, by default host:source:target) is a listener: events of its source
are queued for it while it is away and delivered when it comes back. Remove the ones you no longer run with
caravan listeners remove; the relay removes those not connected for a week (caravan server --listener-ttl).`

  static examples = ['<%= config.bin %> listeners list', '<%= config.bin %> listeners list --json']

  async run(): Promise<void> {
    const {flags} = await this.parse(List)
    const listeners = await listListeners(this.client(flags), this.projectId(flags))
    const c = this.color
    this.output(flags.json, listeners, () =>
      listeners.length === 0
        ? c.dim('No listeners registered.')
        : renderTable(
            listeners,
            [
              {header: 'NAME', get: (l) => l.name},
              {header: 'SOURCE', get: (l) => l.source},
              {header: 'TARGET', get: (l) => l.target},
              {
                header: 'STATE',
                get: (l) =>
                  l.connected
                    ? `connected${l.remote ? ` from ${l.remote}` : ''}`
                    : `not connected${l.last_seen_at ? `, last seen ${shortTime(l.last_seen_at)}` : ''}`,
              },
              {header: 'WAITING', get: (l) => String(l.waiting ?? 0)},
            ],
            c,
          ),
    )
  }
}
