import {Flags} from '@oclif/core'

import {GatewayCommand} from '../src/cli/base-command.js'
import {EXIT} from '../src/cli/exit-codes.js'
import {noBrowserReason, openBrowser} from '../src/cli/open-browser.js'
import {CaravanError} from '../src/errors.js'

export default class Ui extends GatewayCommand {
  static summary = 'Open the web dashboard of the relay in your browser, already signed in.'
  static description = `The dashboard is served by the relay itself at /ui (the same port as its API). The link carries the API key in its #fragment, which browsers never send to a server: the page keeps it for that tab only and removes it from the address bar. Works the same against a remote Caravan relay.

Without a display (CI, SSH) or with --no-open, the link is printed instead. It holds your API key: treat it like the key. Exits ${EXIT.GATEWAY_DOWN} when the relay does not answer.`

  static examples = [
    '<%= config.bin %> ui',
    '<%= config.bin %> ui --no-open',
    '<%= config.bin %> ui --gateway https://relay.example.com --json',
  ]

  static flags = {
    ...GatewayCommand.baseFlags,
    open: Flags.boolean({
      description: 'Open the browser (--no-open only prints the link).',
      default: true,
      allowNo: true,
    }),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Ui)
    const s = this.settings(flags)
    const health = await this.client(flags).health()
    if (!health.ok)
      throw new CaravanError(
        'CARAVAN_ERR_GATEWAY_DOWN',
        `no relay answers at ${s.gateway}: ${health.error ?? 'down'}`,
        {
          hint: 'start one with: caravan server (or caravan listen), then run caravan ui again',
        },
      )
    if (!health.caravan)
      throw new CaravanError(
        'CARAVAN_ERR_GATEWAY',
        `${s.gateway} is a Convoy server, not a Caravan relay: it serves no Caravan dashboard`,
        {hint: "use the Convoy server's own dashboard"},
      )
    const page = s.project ? `${encodeURIComponent(s.project)}/events` : ''
    const url = `${s.gateway}/ui/${page}${s.apiKey ? `#key=${encodeURIComponent(s.apiKey)}` : ''}`
    const reason = flags.open ? noBrowserReason() : 'not asked to (--no-open)'
    const opened = reason === undefined ? await openBrowser(url) : false
    this.output(flags.json, {url, opened}, () => {
      if (opened) return `Opened the dashboard in your browser:\n${url}`
      const why = reason ?? 'no browser opener (xdg-open/open) could be started'
      return `${url}\n${this.color.dim(`Not opened (${why}): open the link above.${s.apiKey ? ' It holds your API key: do not share it.' : ' No API key is set: the page will ask for one.'}`)}`
    })
  }
}
