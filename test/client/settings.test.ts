import {mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {ProfileStore} from '../../src/config/profiles.js'
import {resolveSettings, sameGateway} from '../../src/config/settings.js'
import {tempDir} from '../helpers/delivery.js'

/** Issue 11 item 4: a profile's key and project apply only to that profile's gateway. */

async function profiles(config: unknown): Promise<ProfileStore> {
  const dir = join(await tempDir(), 'config')
  mkdirSync(dir, {recursive: true})
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config), {mode: 0o600})
  return new ProfileStore(dir)
}

const laptop = {
  current: 'local',
  profiles: {
    local: {gateway: 'http://127.0.0.1:5005', apiKey: 'local-key', project: 'local-project'},
    prod: {gateway: 'https://hooks.example.com', apiKey: 'prod-key', project: 'prod-project'},
  },
}

describe('resolveSettings', () => {
  it('no gateway given: the current profile, all of it', async () => {
    const s = resolveSettings({}, {}, await profiles(laptop))
    expect(s).toMatchObject({
      gateway: 'http://127.0.0.1:5005',
      apiKey: 'local-key',
      project: 'local-project',
      profile: 'local',
    })
  })

  it("another gateway by flag or env: none of the current profile's key or project", async () => {
    const store = await profiles(laptop)
    for (const [flags, env] of [
      [{gateway: 'https://other.example.com'}, {}],
      [{}, {CARAVAN_GATEWAY: 'https://other.example.com'}],
    ] as const) {
      const s = resolveSettings(flags, env, store)
      expect(s).toMatchObject({gateway: 'https://other.example.com', apiKey: undefined, project: undefined})
      expect(s.origin).toEqual({
        gateway: flags.gateway ? 'flag' : 'env CARAVAN_GATEWAY',
        apiKey: 'unset',
        project: 'unset',
      })
    }
    // A key given with it is used; the project is still not borrowed.
    const withKey = resolveSettings({gateway: 'https://other.example.com', apiKey: 'k'}, {}, store)
    expect(withKey).toMatchObject({apiKey: 'k', project: undefined})
  })

  it("a gateway some profile is for: that profile's key and project", async () => {
    const s = resolveSettings({gateway: 'https://hooks.example.com/'}, {}, await profiles(laptop))
    expect(s).toMatchObject({apiKey: 'prod-key', project: 'prod-project', profile: 'prod'})
    expect(s.origin.apiKey).toBe('profile prod')
    // The same gateway spelled with localhost is the local relay.
    const local = resolveSettings({gateway: 'http://localhost:5005'}, {}, await profiles(laptop))
    expect(local).toMatchObject({apiKey: 'local-key', project: 'local-project'})
  })

  it('sameGateway ignores a trailing slash and case, not the port or scheme', () => {
    expect(sameGateway('https://Hooks.example.com/', 'https://hooks.example.com')).toBe(true)
    expect(sameGateway('http://127.0.0.1:5005', 'http://127.0.0.1:5006')).toBe(false)
    expect(sameGateway('http://hooks.example.com', 'https://hooks.example.com')).toBe(false)
  })
})
