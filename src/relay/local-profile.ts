import {LOCAL_PROFILE, ProfileStore} from '../config/profiles.js'
import {getProject} from '../store/projects.js'
import type {Relay} from './relay.js'

/** Point the `local` profile at this relay so local commands need no set-up. */
export function recordLocalProfile(relay: Relay, configDir?: string): void {
  const profiles = new ProfileStore(configDir)
  const current = profiles.get(LOCAL_PROFILE)
  // Keep a project the user picked with `projects use`, if this relay has it.
  const keep = current.project && getProject(relay.db, current.project) ? current.project : undefined
  profiles.set(LOCAL_PROFILE, {gateway: relay.url, apiKey: relay.adminKey, project: keep ?? relay.defaultProjectId})
}
