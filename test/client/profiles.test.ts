import {mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it} from 'vitest'

import {LOCAL_PROFILE, ProfileStore} from '../../src/config/profiles.js'
import {CaravanError} from '../../src/errors.js'
import {tempDir} from '../helpers/delivery.js'

// Taken before any test writes a profile (and so loads conf).
const signalListenersAtStart = {SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM')}

describe('ProfileStore', () => {
  it('writing a profile leaves no signal hooks of conf behind (they would kill a draining relay)', async () => {
    const store = new ProfileStore(join(await tempDir(), 'config'))
    await store.set(LOCAL_PROFILE, {gateway: 'http://127.0.0.1:5005'})
    expect(process.listenerCount('SIGINT')).toBe(signalListenersAtStart.SIGINT)
    expect(process.listenerCount('SIGTERM')).toBe(signalListenersAtStart.SIGTERM)
  })

  it('starts empty on the local profile without creating anything', async () => {
    const dir = join(await tempDir(), 'config')
    const store = new ProfileStore(dir)
    expect(store.currentName).toBe(LOCAL_PROFILE)
    expect(store.get()).toEqual({})
    expect(store.names()).toEqual([])
    expect(() => statSync(dir)).toThrow()
  })

  it('writes profiles to config.json, 0600, in a 0700 dir, and reads them back', async () => {
    const dir = join(await tempDir(), 'nested', 'config')
    const store = new ProfileStore(dir)
    await store.set('prod', {gateway: 'https://hooks.example.com', apiKey: 'k1', project: 'p1'})
    await store.use('prod')
    await store.set(LOCAL_PROFILE, {gateway: 'http://127.0.0.1:5005'})
    expect(store.path).toBe(join(dir, 'config.json'))
    expect(statSync(store.path).mode & 0o777).toBe(0o600)
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    const again = new ProfileStore(dir)
    expect(again.currentName).toBe('prod')
    expect(again.get()).toEqual({gateway: 'https://hooks.example.com', apiKey: 'k1', project: 'p1'})
    expect(again.names().sort()).toEqual(['local', 'prod'])
    await again.remove('prod')
    expect(new ProfileStore(dir).names()).toEqual(['local'])
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({
      current: 'prod',
      profiles: {local: {gateway: 'http://127.0.0.1:5005'}},
    })
  })

  it('reads a config.json written by earlier versions (tab-indented, same shape)', async () => {
    const dir = await tempDir()
    const old =
      '{\n\t"current": "local",\n\t"profiles": {\n\t\t"local": {\n\t\t\t"gateway": "http://127.0.0.1:5599",\n\t\t\t"apiKey": "CARAVAN.x",\n\t\t\t"project": "01ABC"\n\t\t}\n\t}\n}'
    writeFileSync(join(dir, 'config.json'), old, {mode: 0o600})
    expect(new ProfileStore(dir).get()).toEqual({
      gateway: 'http://127.0.0.1:5599',
      apiKey: 'CARAVAN.x',
      project: '01ABC',
    })
  })

  it('names a config.json that is not JSON, and neither reads nor overwrites it', async () => {
    const dir = await tempDir()
    const file = join(dir, 'config.json')
    writeFileSync(file, '{"current": "local", "profiles": {', {mode: 0o600})
    const store = new ProfileStore(dir)
    const error = (() => {
      try {
        store.get()
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(CaravanError)
    expect((error as CaravanError).code).toBe('CARAVAN_ERR_CONFIG')
    expect((error as CaravanError).message).toMatch(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON: `),
    )
    await expect(store.set('x', {gateway: 'http://h'})).rejects.toThrow(/is not valid JSON/)
    expect(readFileSync(file, 'utf8')).toBe('{"current": "local", "profiles": {')
  })

  it('refuses a config.json that holds something other than an object', async () => {
    const dir = await tempDir()
    mkdirSync(dir, {recursive: true})
    writeFileSync(join(dir, 'config.json'), '[1, 2]')
    expect(() => new ProfileStore(dir).get()).toThrow(/does not hold a JSON object/)
  })

  it('leaves no temp files behind after writes', async () => {
    const dir = await tempDir()
    const store = new ProfileStore(dir)
    for (let i = 0; i < 5; i++) await store.set(`p${i}`, {project: String(i)})
    const {readdirSync} = await import('node:fs')
    expect(readdirSync(dir)).toEqual(['config.json'])
  })

  it('keeps the file private and tab-indented when it rewrites one that was world-readable', async () => {
    const dir = await tempDir()
    const file = join(dir, 'config.json')
    writeFileSync(file, '{"current": "local", "profiles": {}}', {mode: 0o644})
    const store = new ProfileStore(dir)
    await store.setCurrent('staging', {gateway: 'https://hooks.example.com', apiKey: 'k2'})
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readFileSync(file, 'utf8')).toBe(
      '{\n\t"current": "staging",\n\t"profiles": {\n\t\t"staging": {\n\t\t\t"gateway": "https://hooks.example.com",\n\t\t\t"apiKey": "k2"\n\t\t}\n\t}\n}\n',
    )
  })
})
