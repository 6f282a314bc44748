/**
 * The inspector's screen: ink, React and the components. The build bundles this module
 * with ink and React into one file (scripts/bundle-inspector.mjs), because loading them
 * as hundreds of separate modules was most of `caravan inspect`'s start-up time.
 */
import chalk from 'chalk'
import {render} from 'ink'
import {createElement} from 'react'

import {App} from './App.js'
import type {InspectorBackend} from './backend.js'
import type {InspectEvent} from './types.js'

export const ALT_SCREEN_ON = '\u001B[?1049h\u001B[H'
export const ALT_SCREEN_OFF = '\u001B[?1049l'

export interface InspectorScreen {
  backend: InspectorBackend
  gateway: string
  limit: number
  /** Events already loaded, oldest first, shown in the first frame. */
  events?: InspectEvent[]
  /** Whether `events` are all of the `limit` newest; else the rest loads after the first frame. */
  complete?: boolean
  /** Opens $EDITOR on the text; returns the edited text, or null if cancelled. */
  editText: (text: string) => string | null
}

/** Take the terminal (alternate screen) until the user quits; returns the curl commands copied. */
export async function runInspector(screen: InspectorScreen): Promise<string[]> {
  // chalk judged colour support when it was loaded; this is a terminal (the caller checked),
  // so colour stays on unless the user asked for none.
  if (chalk.level === 0 && process.env.NO_COLOR === undefined) chalk.level = 1
  let copied: string[] = []
  process.stdout.write(ALT_SCREEN_ON)
  try {
    const app = render(
      createElement(App, {
        backend: screen.backend,
        gateway: screen.gateway,
        initialLimit: screen.limit,
        initialEvents: screen.events,
        initialComplete: screen.complete,
        editText: screen.editText,
        onExit: (c: string[]) => (copied = c),
      }),
      {exitOnCtrlC: false},
    )
    await app.waitUntilExit()
  } finally {
    process.stdout.write(ALT_SCREEN_OFF)
  }
  return copied
}
