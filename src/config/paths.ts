import {homedir} from 'node:os'
import {join} from 'node:path'

/** Where the relay keeps its store: CARAVAN_DATA_DIR, else the XDG data dir. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CARAVAN_DATA_DIR) return env.CARAVAN_DATA_DIR
  const base = env.XDG_DATA_HOME || join(homedir(), '.local', 'share')
  return join(base, 'caravan')
}

/** Where profiles live: CARAVAN_CONFIG_DIR, else the XDG config dir. */
export function defaultConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CARAVAN_CONFIG_DIR) return env.CARAVAN_CONFIG_DIR
  const base = env.XDG_CONFIG_HOME || join(homedir(), '.config')
  return join(base, 'caravan')
}

export const DEFAULT_HOST = '127.0.0.1'
export const DEFAULT_PORT = 5005
export const DEFAULT_GATEWAY = `http://${DEFAULT_HOST}:${DEFAULT_PORT}`
