import {DEFAULT_GATEWAY} from './paths.js'
import {ProfileStore} from './profiles.js'

export interface GatewaySettings {
  gateway: string
  apiKey?: string
  project?: string
  /** Where each value came from, for `caravan status`. */
  origin: {gateway: string; apiKey: string; project: string}
  profile: string
}

/** Flags beat env vars beat the current profile beat the built-in default. */
export function resolveSettings(
  flags: {gateway?: string; apiKey?: string; project?: string},
  env: NodeJS.ProcessEnv = process.env,
  store: ProfileStore = new ProfileStore(),
): GatewaySettings {
  // One read: the relay may rewrite the file meanwhile, and name and values must agree.
  const {name, profile} = store.current()
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
    profile: name,
  }
}
