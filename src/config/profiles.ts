import {mkdirSync, readFileSync} from 'node:fs'
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
 * Read on every command, so reading is plain fs: a file that is not valid JSON is reported
 * by name and left as it is (never overwritten). Writes go through `conf` (atomic: a reader
 * sees the old file or the new one, never half), imported only when a profile is written,
 * so commands that only read do not pay for loading it and its schema validator.
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

  private async write(change: (config: ConfigShape) => void): Promise<void> {
    // Our own read first: a broken file is reported by name and never overwritten.
    const config = this.read()
    change(config)
    // conf creates a missing dir with default permissions; the dir holds API keys.
    mkdirSync(this.configDir, {recursive: true, mode: 0o700})
    const Conf = await importConf()
    const conf = new Conf<ConfigShape>({
      cwd: this.configDir,
      configName: 'config',
      configFileMode: 0o600,
      // The layout earlier versions wrote (tab-indented), so the file reads the same by hand.
      serialize: (value) => JSON.stringify(value, null, '\t') + '\n',
    })
    conf.store = config
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

  async set(name: string, profile: Profile): Promise<void> {
    await this.write((config) => (config.profiles = {...config.profiles, [name]: profile}))
  }

  async use(name: string): Promise<void> {
    await this.write((config) => (config.current = name))
  }

  /** Save a profile and make it the current one, in one write. */
  async setCurrent(name: string, profile: Profile): Promise<void> {
    await this.write((config) => {
      config.profiles = {...config.profiles, [name]: profile}
      config.current = name
    })
  }

  async remove(name: string): Promise<void> {
    await this.write((config) => {
      const profiles = {...config.profiles}
      delete profiles[name]
      config.profiles = profiles
    })
  }

  names(): string[] {
    return Object.keys(this.read().profiles)
  }
}

/** Signals a long-running caravan process (server, listen) handles itself. */
const OWN_SIGNALS = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2'] as const

/**
 * conf, loaded. Its file writer (atomically, through when-exit) hooks SIGINT, SIGTERM and
 * more when first imported, and on the signal re-raises it to the process once its own
 * listener is gone: a relay loading conf to record its profile would then die on SIGTERM
 * instead of draining its deliveries, and `listen` would die on ^C. The relay and listen
 * shut down on signals themselves, so those hooks are taken off again (its exit-time
 * clean-up of temp files stays).
 */
async function importConf(): Promise<typeof import('conf').default> {
  const before = new Map(OWN_SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]))
  const {default: Conf} = await import('conf')
  for (const signal of OWN_SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener)
    }
  }
  return Conf
}
