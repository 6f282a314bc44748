import {Flags} from '@oclif/core'
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {GatewayCommand} from '../src/cli/base-command.js'
import {EXIT} from '../src/cli/exit-codes.js'
import {needsCaravan} from '../src/client/caravan-only.js'
import {CaravanError} from '../src/errors.js'

const ALT_SCREEN_ON = '\u001B[?1049h\u001B[H'
const ALT_SCREEN_OFF = '\u001B[?1049l'

/** Hand the terminal to $EDITOR, then take it back. */
function editInTerminal(text: string): string | null {
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi'
  const dir = mkdtempSync(join(tmpdir(), 'caravan-inspect-'))
  const file = join(dir, 'request.http')
  const raw = process.stdin.isRaw
  try {
    writeFileSync(file, text)
    process.stdout.write(ALT_SCREEN_OFF)
    if (raw) process.stdin.setRawMode(false)
    const run = spawnSync(editor, [file], {stdio: 'inherit'})
    return run.status === 0 ? readFileSync(file, 'utf8') : null
  } finally {
    if (raw) process.stdin.setRawMode(true)
    process.stdout.write(ALT_SCREEN_ON)
    rmSync(dir, {recursive: true, force: true})
  }
}

export default class Inspect extends GatewayCommand {
  static summary = 'Interactive terminal inspector: live events, details, replay (also edited), filters.'
  static description = `Full-screen view of the stored events, newest at the bottom, following new ones live.
Keys: ↑/↓ j/k move, PgUp/PgDn, g/G ends, enter/d details, esc back, r replay to the running listener's target,
e edit in $EDITOR then replay, / filter (text, status:Failure, type:invoice.*, source:github), f follow,
c copy as curl, q quit. Needs a terminal: without one it exits ${EXIT.NO_TTY} (use caravan events list --json).`

  static examples = [
    '<%= config.bin %> inspect',
    '<%= config.bin %> inspect --source github',
    '<%= config.bin %> inspect --gateway https://hooks.example.com',
  ]

  static flags = {
    source: Flags.string({char: 's', description: 'Only events of this source.'}),
    limit: Flags.integer({description: 'How many recent events to load at start.', default: 500, min: 1, max: 5000}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Inspect)
    // The live feed and replay are Caravan routes: a Convoy server would leave the view
    // "reconnecting" forever, so say so before taking over the terminal.
    const health = await this.client(flags).health()
    if (health.ok && !health.caravan) {
      throw needsCaravan(
        'caravan inspect',
        this.client(flags).gateway,
        'it has no live event feed',
        'use caravan events list, caravan deliveries list and caravan deliveries attempts against Convoy',
      )
    }
    if (!process.stdout.isTTY || !process.stdin.isTTY) {
      throw new CaravanError('CARAVAN_ERR_NO_TTY', 'caravan inspect needs a terminal', {
        hint: 'in scripts use: caravan events list --json',
      })
    }
    const settings = this.settings(flags)
    const client = this.client(flags)
    // Ink draws only a final frame, and colour libraries drop colour, when CI is set; this
    // is a real terminal (checked above), so it must draw live, in colour, whatever CI says.
    delete process.env.CI
    delete process.env.CONTINUOUS_INTEGRATION
    // chalk (shared with ink) judged colour support at start-up, when CI was still set.
    const {default: chalk} = await import('chalk')
    if (chalk.level === 0 && process.env.NO_COLOR === undefined) chalk.level = 1
    // Load the UI only when it runs: keeps every other command's start-up fast.
    const [{render}, {createElement}, {App}, {InspectorBackend}] = await Promise.all([
      import('ink'),
      import('react'),
      import('../src/tui/App.js'),
      import('../src/tui/backend.js'),
    ])
    const backend = new InspectorBackend(client, this.projectId(flags), settings.apiKey, flags.source)
    await backend.init()
    let copied: string[] = []
    process.stdout.write(ALT_SCREEN_ON)
    try {
      const app = render(
        createElement(App, {
          backend,
          gateway: settings.gateway,
          initialLimit: flags.limit,
          editText: editInTerminal,
          onExit: (c: string[]) => (copied = c),
        }),
        {exitOnCtrlC: false},
      )
      await app.waitUntilExit()
    } finally {
      process.stdout.write(ALT_SCREEN_OFF)
    }
    for (const curl of copied) process.stdout.write(curl + '\n')
  }
}
