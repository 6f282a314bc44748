import {DEFAULT_GATEWAY} from './paths.js'
import {type Profile, ProfileStore} from './profiles.js'

export interface GatewaySettings {
  gateway: string
  apiKey?: string
  project?: string
  /** Where each value came from, for `caravan status`. */
  origin: {gateway: string; apiKey: string; project: string}
  /** The profile whose key and project apply (the current one unless --gateway chose another). */
  profile: string
}

/** One spelling per gateway, so `http://127.0.0.1:5005/` and `http://127.0.0.1:5005` are the same one. */
export function sameGateway(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false
  const norm = (u: string) => {
    try {
      const url = new URL(u)
      const host = url.host.replace(/^localhost(?=:|$)/i, '127.0.0.1')
      return `${url.protocol}//${host}${url.pathname.replace(/\/+$/, '')}`.toLowerCase()
    } catch {
      return u.replace(/\/+$/, '').toLowerCase()
    }
  }
  return norm(a) === norm(b)
}

/**
 * The profile whose key and project go with `gateway`: the current one when it points
 * there, else another that does. A profile's key and project never go to another gateway.
 */
function profileFor(store: ProfileStore, gateway: string, current: {name: string; profile: Profile}) {
  if (sameGateway(current.profile.gateway, gateway)) return current
  for (const name of store.names()) {
    const profile = store.get(name)
    if (sameGateway(profile.gateway, gateway)) return {name, profile}
  }
  return undefined
}

/**
 * Flags beat env vars beat the profile beat the built-in default. A gateway given by flag
 * or env var takes the key and project only of a profile for that same gateway.
 */
export function resolveSettings(
  flags: {gateway?: string; apiKey?: string; project?: string},
  env: NodeJS.ProcessEnv = process.env,
  store: ProfileStore = new ProfileStore(),
): GatewaySettings {
  // One read: the relay may rewrite the file meanwhile, and name and values must agree.
  const current = store.current()
  const explicit = flags.gateway ?? env.CARAVAN_GATEWAY
  const chosen = explicit ? profileFor(store, explicit, current) : current
  const profile = chosen?.profile ?? {}
  const name = chosen?.name ?? current.name
  const pick = (flag: string | undefined, envName: string, fromProfile: string | undefined, fallback?: string) => {
    if (flag) return {value: flag, origin: 'flag'}
    if (env[envName]) return {value: env[envName], origin: `env ${envName}`}
    if (fromProfile) return {value: fromProfile, origin: `profile ${name}`}
    return {value: fallback, origin: fallback ? 'default' : 'unset'}
  }
  const gateway = pick(flags.gateway, 'CARAVAN_GATEWAY', profile.gateway, DEFAULT_GATEWAY)
  const apiKey = pick(flags.apiKey, 'CARAVAN_API_KEY', profile.apiKey)
  const project = pick(flags.project, 'CARAVAN_PROJECT', profile.project)
  return {
    gateway: (gateway.value as string).replace(/\/+$/, ''),
    apiKey: apiKey.value,
    project: project.value,
    origin: {gateway: gateway.origin, apiKey: apiKey.origin, project: project.origin},
    profile: chosen ? name : '(none for this gateway)',
  }
}
