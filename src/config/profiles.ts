import {chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {CaravanError} from '../errors.js'
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
 * Profiles (gateway, API key, current project) in one 0600 JSON file, `config.json` in
 * the config dir. `local` belongs to the relay on this machine; `caravan login` writes
 * named profiles and makes one current.
 *
 * Read on every command, so it is plain fs: a file that is not valid JSON is reported by
 * name and left as it is (never overwritten), and writes replace it atomically (a temp
 * file renamed over it), so a reader sees the old file or the new one, never half.
 */
export class ProfileStore {
  readonly path: string

  constructor(private readonly configDir: string = defaultConfigDir()) {
    this.path = join(configDir, 'config.json')
  }

  private read(): ConfigShape {
    let text: string
    try {
      text = readFileSync(this.path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {current: LOCAL_PROFILE, profiles: {}}
      throw new CaravanError('CARAVAN_ERR_CONFIG', `cannot read ${this.path}: ${(error as Error).message}`)
    }
    let parsed: unknown
    try {
      parsed = text.trim() ? JSON.parse(text) : {}
    } catch (error) {
      throw new CaravanError('CARAVAN_ERR_CONFIG', `${this.path} is not valid JSON: ${(error as Error).message}`, {
        hint: 'fix it, or move it away and run caravan server or caravan login to write a new one',
      })
    }
    const shape = (parsed ?? {}) as Partial<ConfigShape>
    if (typeof shape !== 'object' || Array.isArray(shape))
      throw new CaravanError('CARAVAN_ERR_CONFIG', `${this.path} does not hold a JSON object`)
    const profiles = shape.profiles && typeof shape.profiles === 'object' ? shape.profiles : {}
    return {current: typeof shape.current === 'string' ? shape.current : LOCAL_PROFILE, profiles}
  }

  private write(change: (config: ConfigShape) => void): void {
    const config = this.read()
    change(config)
    mkdirSync(this.configDir, {recursive: true, mode: 0o700})
    const temp = `${this.path}.${process.pid}.tmp`
    writeFileSync(temp, JSON.stringify(config, null, '\t') + '\n', {mode: 0o600})
    // An existing temp file keeps its mode: make sure the keys in it stay private.
    chmodSync(temp, 0o600)
    renameSync(temp, this.path)
  }

  get currentName(): string {
    return this.read().current
  }

  /** The current profile and its name, from one read of the file. */
  current(): {name: string; profile: Profile} {
    const config = this.read()
    return {name: config.current, profile: config.profiles[config.current] ?? {}}
  }

  /** A profile by name, the current one by default. */
  get(name?: string): Profile {
    const config = this.read()
    return config.profiles[name ?? config.current] ?? {}
  }

  set(name: string, profile: Profile): void {
    this.write((config) => (config.profiles = {...config.profiles, [name]: profile}))
  }

  use(name: string): void {
    this.write((config) => (config.current = name))
  }

  remove(name: string): void {
    this.write((config) => {
      const profiles = {...config.profiles}
      delete profiles[name]
      config.profiles = profiles
    })
  }

  names(): string[] {
    return Object.keys(this.read().profiles)
  }
}
