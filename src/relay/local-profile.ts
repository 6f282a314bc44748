import {LOCAL_PROFILE, ProfileStore} from '../config/profiles.js'
import {getProject} from '../store/projects.js'
import type {Relay} from './relay.js'

/** Point the `local` profile at this relay so local commands need no set-up. */
export async function recordLocalProfile(relay: Relay, configDir?: string): Promise<void> {
  const profiles = new ProfileStore(configDir)
  const current = profiles.get(LOCAL_PROFILE)
  // Keep a project the user picked with `projects use`, if this relay has it.
  const keep = current.project && getProject(relay.db, current.project) ? current.project : undefined
  await profiles.set(LOCAL_PROFILE, {
    gateway: relay.url,
    apiKey: relay.adminKey,
    project: keep ?? relay.defaultProjectId,
  })
}

/**
 * Keys the profiles hold, the local one first (the store keeps only the admin key's hash):
 * where a restart without --api-key finds the key to keep using. Other profiles count too,
 * e.g. one saved with `caravan login` for this relay. A file that cannot be read gives none.
 */
export function localProfileKeys(configDir?: string): string[] {
  try {
    const profiles = new ProfileStore(configDir)
    const names = [LOCAL_PROFILE, ...profiles.names().filter((name) => name !== LOCAL_PROFILE)]
    const keys = names.map((name) => profiles.get(name).apiKey).filter((key): key is string => Boolean(key))
    return [...new Set(keys)]
  } catch {
    return []
  }
}
