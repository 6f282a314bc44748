import {existsSync} from 'node:fs'

import {needsCaravan} from '../client/caravan-only.js'
import type {GatewayClient} from '../client/gateway-client.js'
import {editText} from '../client/request-text.js'
import {CaravanError} from '../errors.js'
import {InspectorBackend} from './backend.js'

export interface LaunchOptions {
  client: GatewayClient
  /** The project, resolved after the terminal check: a script without a terminal hears about that first. */
  projectId: () => string | Promise<string>
  apiKey: string | undefined
  source?: string
  /** Gateway address as shown in the header. */
  gateway: string
  /** How many recent events to load at start. */
  limit: number
}

type Screen = typeof import('./inspector.js')

/**
 * The screen module: the build's single-file bundle of it when there is one (fast to
 * load), else the module itself (running from source).
 */
function loadScreen(): Promise<Screen> {
  const bundle = new URL('./inspector.bundle.js', import.meta.url)
  return existsSync(bundle) ? (import(bundle.href) as Promise<Screen>) : import('./inspector.js')
}

/** Hand the terminal to $EDITOR, then take it back; null when the editor failed. */
function editInTerminal(text: string, screen: Screen): string | null {
  const raw = process.stdin.isRaw
  try {
    process.stdout.write(screen.ALT_SCREEN_OFF)
    if (raw) process.stdin.setRawMode(false)
    const edited = editText(text)
    return 'text' in edited ? edited.text : null
  } finally {
    if (raw) process.stdin.setRawMode(true)
    process.stdout.write(screen.ALT_SCREEN_ON)
  }
}

/**
 * `caravan inspect`: check the gateway and the terminal, load the screen while the first
 * events are fetched, then run it until the user quits. Returns the curl commands copied.
 * Anything that fails before the screen opens (gateway down, wrong key or project, not
 * a terminal) is thrown as a domain error, so it exits with its documented code.
 */
export async function launchInspector(opts: LaunchOptions): Promise<string[]> {
  const tty = Boolean(process.stdout.isTTY && process.stdin.isTTY)
  let screen: Promise<Screen> | undefined
  if (tty) {
    // Ink draws only a final frame, and colour libraries drop colour, when CI is set; this
    // is a real terminal, so it must draw live, in colour, whatever CI says. (Before the
    // screen is loaded: they read it when they load.)
    delete process.env.CI
    delete process.env.CONTINUOUS_INTEGRATION
    screen = loadScreen()
    // Awaited below; an early failure elsewhere must not leave it unhandled.
    screen.catch(() => undefined)
  }
  // The live feed and replay are Caravan routes: a Convoy server would leave the view
  // "reconnecting" forever, so say so before taking over the terminal.
  const health = await opts.client.health()
  if (health.ok && !health.caravan) {
    throw needsCaravan(
      'caravan inspect',
      opts.client.gateway,
      'it has no live event feed',
      'use caravan events list, caravan deliveries list and caravan deliveries attempts against Convoy',
    )
  }
  if (!screen) {
    throw new CaravanError('CARAVAN_ERR_NO_TTY', 'caravan inspect needs a terminal', {
      hint: 'in scripts use: caravan events list --json',
    })
  }
  const backend = new InspectorBackend(opts.client, await opts.projectId(), opts.apiKey, opts.source)
  await backend.init()
  // The first frame needs a screenful; the rest of --limit (bodies and all, which can be
  // megabytes) loads after it is drawn.
  const first = Math.min(opts.limit, Math.max(process.stdout.rows ?? 0, 24))
  const events = await backend.recent(first)
  const ui = await screen
  return ui.runInspector({
    backend,
    gateway: opts.gateway,
    limit: opts.limit,
    events,
    // Fewer than asked for: that is all there is.
    complete: first === opts.limit || events.length < first,
    editText: (text) => editInTerminal(text, ui),
  })
}
