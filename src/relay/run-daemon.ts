import {installLastResort} from './last-resort.js'
import {recordLocalProfile} from './local-profile.js'
import {type Relay, type RelayOptions, startRelay} from './relay.js'

/**
 * Start the relay for a long-running process: record it in the local profile so local
 * commands find it, and stop on SIGINT/SIGTERM (first signal drains, second forces).
 */
export async function runDaemon(
  options: RelayOptions & {recordProfile?: boolean; configDir?: string},
  log: (line: string) => void,
): Promise<Relay> {
  let where = `caravan relay starting (data: ${options.dataDir ?? 'default'})`
  installLastResort(() => where)
  const relay = await startRelay({log, ...options})
  where = `caravan relay on ${relay.url} (data: ${relay.dataDir})`
  if (options.recordProfile !== false) await recordLocalProfile(relay, options.configDir)
  let signals = 0
  const onSignal = (signal: NodeJS.Signals) => {
    signals++
    if (signals > 1) {
      log(`${signal} again: stopping now`)
      process.exit(130)
    }
    log(`${signal}: draining (press ^C again to force)`)
    void relay.stop().then(() => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
    })
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return relay
}
