import {EXIT} from '../cli/exit-codes.js'

let installed = false

/**
 * The last resort of a long-running relay process: an exception nothing caught, or a
 * rejected promise nobody awaited, means the process is in a state no code planned for.
 * Continuing could lose or double-send webhooks, so it logs what happened and where, and
 * exits with EXIT.INTERNAL (70, EX_SOFTWARE) for a supervisor (systemd Restart=on-failure)
 * to start it again; the store is crash-safe and recovery re-sends what was in flight.
 * Known conditions (bad requests, store errors) are handled where they happen and never
 * get here.
 */
export function installLastResort(
  context: () => string,
  write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): void {
  if (installed) return
  installed = true
  const die = (kind: string, reason: unknown) => {
    try {
      const detail = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)
      write(
        `caravan: fatal: ${kind} in ${context()} (pid ${process.pid}): ${detail}\ncaravan: exiting with code ${EXIT.INTERNAL} so a supervisor restarts it; not continuing in an unknown state`,
      )
    } finally {
      process.exit(EXIT.INTERNAL)
    }
  }
  process.on('uncaughtException', (error) => die('uncaught exception', error))
  process.on('unhandledRejection', (reason) => die('unhandled promise rejection', reason))
}
