import {homedir} from 'node:os'
import {join} from 'node:path'

import {CaravanError} from '../errors.js'

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

/**
 * A gateway address as typed (`localhost:5005`, `hooks.example.com`, `https://…`) as a base
 * URL: a missing scheme means http://, a trailing slash goes. `from` names where the value
 * came from (`--gateway`, `CARAVAN_GATEWAY`, …) for the error when it is no URL at all.
 */
export function normalizeGateway(value: string, from = '--gateway'): string {
  const text = value.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    // "host:port" has digits after the colon; "http:" or "https:/x" is a scheme gone wrong.
    if (/^[a-z][a-z0-9+.-]*:(?!\/\/|\d)/i.test(text) || /^[a-z][a-z0-9+.-]*:\/\/\/*$/i.test(text)) throw new Error()
    url = new URL(withScheme)
  } catch {
    throw new CaravanError('CARAVAN_ERR_USAGE', `${from} is not a gateway URL: "${value}"`, {
      hint: 'e.g. http://127.0.0.1:5005 or https://hooks.example.com',
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CaravanError('CARAVAN_ERR_USAGE', `${from} must be an http:// or https:// URL: "${value}"`)
  return withScheme.replace(/\/+$/, '')
}

/** A gateway on this machine (where "start the local relay" is the right advice). */
export function isLocalGateway(gateway: string): boolean {
  return /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:|\/|$)/.test(gateway)
}
