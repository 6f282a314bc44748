import Conf from 'conf'

import {defaultConfigDir} from './paths.js'

export interface Profile {
  gateway?: string
  apiKey?: string
  project?: string
}

interface ConfigShape {
  current: string
  profiles: Record<string, Profile>
}

/** The profile the local relay keeps up to date on every start. */
export const LOCAL_PROFILE = 'local'

/**
 * Profiles (gateway, API key, current project) in one 0600 JSON file. `local` belongs to
 * the relay on this machine; `caravan login` writes named profiles and makes one current.
 */
export class ProfileStore {
  private readonly conf: Conf<ConfigShape>

  constructor(configDir: string = defaultConfigDir()) {
    this.conf = new Conf<ConfigShape>({
      cwd: configDir,
      configName: 'config',
      configFileMode: 0o600,
      defaults: {current: LOCAL_PROFILE, profiles: {}},
    })
  }

  get path(): string {
    return this.conf.path
  }

  get currentName(): string {
    return this.conf.get('current')
  }

  get(name: string = this.currentName): Profile {
    return this.conf.get('profiles')[name] ?? {}
  }

  set(name: string, profile: Profile): void {
    this.conf.set('profiles', {...this.conf.get('profiles'), [name]: profile})
  }

  use(name: string): void {
    this.conf.set('current', name)
  }

  remove(name: string): void {
    const profiles = {...this.conf.get('profiles')}
    delete profiles[name]
    this.conf.set('profiles', profiles)
  }

  names(): string[] {
    return Object.keys(this.conf.get('profiles'))
  }
}
