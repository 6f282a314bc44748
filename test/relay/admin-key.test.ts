import Database from 'better-sqlite3'
import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it, onTestFinished} from 'vitest'

import {DB_FILE, openDb} from '../../src/store/db.js'
import {MIGRATIONS} from '../../src/store/migrations.js'
import {makeSandbox, runJson, type Sandbox, startServerProcess} from '../helpers/cli.js'
import {startApp, startListen} from '../helpers/listen.js'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

function metaRows(dataDir: string): Record<string, string> {
  const db = new Database(join(dataDir, DB_FILE), {readonly: true})
  try {
    const rows = db.prepare('SELECT key, value FROM meta').all() as {key: string; value: string}[]
    return Object.fromEntries(rows.map((r) => [r.key, r.value]))
  } finally {
    db.close()
  }
}

const localKey = (box: Sandbox): string =>
  (JSON.parse(readFileSync(box.configFile, 'utf8')) as {profiles: {local: {apiKey: string}}}).profiles.local.apiKey

/**
 * Take a store back to schema version 2: undo what later migrations added (indexes, columns),
 * judged against a fresh store built by migrations 1–2 only, so it keeps working as
 * migrations are added.
 */
function downgradeToV2(db: Database.Database): void {
  const v2 = new Database(':memory:')
  for (const sql of MIGRATIONS.slice(0, 2)) v2.exec(sql)
  const names = (d: Database.Database, type: string) =>
    new Set(
      (d.prepare(`SELECT name FROM sqlite_master WHERE type = ?`).all(type) as {name: string}[]).map((r) => r.name),
    )
  const columns = (d: Database.Database, table: string) =>
    new Set((d.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as {name: string}[]).map((r) => r.name))
  const v2Indexes = names(v2, 'index')
  const v2Tables = names(v2, 'table')
  db.pragma('foreign_keys = OFF')
  // Tables later migrations made go too (their indexes with them).
  for (const table of names(db, 'table'))
    if (!v2Tables.has(table) && !table.startsWith('sqlite_')) db.exec(`DROP TABLE "${table}"`)
  for (const index of names(db, 'index'))
    if (!v2Indexes.has(index) && !index.startsWith('sqlite_')) db.exec(`DROP INDEX "${index}"`)
  for (const table of names(v2, 'table')) {
    const keep = columns(v2, table)
    for (const column of columns(db, table))
      if (!keep.has(column)) db.exec(`ALTER TABLE "${table}" DROP COLUMN "${column}"`)
  }
  v2.close()
  db.pragma('foreign_keys = ON')
  db.pragma('user_version = 2')
}

describe('the admin key at rest', () => {
  it('is stored only as a hash; after restarts (server, then listen, then server) local commands keep working with the same key', async () => {
    const box = makeSandbox('caravan-key-')
    onTestFinished(() => box.cleanup())
    const first = await startServerProcess(box.env)
    const key = first.apiKey
    expect((await first.stop()).code).toBe(0)
    const meta = metaRows(box.dataDir)
    expect(Object.values(meta)).not.toContain(key)
    expect(meta.admin_api_key).toBeUndefined()
    expect(meta.admin_api_key_sha256).toBe(sha256(key))
    expect(localKey(box)).toBe(key)

    // `listen` starts an embedded relay on the same store: it finds the key in the profile.
    const app = await startApp()
    const listen = await startListen(['--forward', app.url, '--source', 'keyed'], box.env)
    const sent = await fetch(listen.ingestUrl, {method: 'POST', body: '{"n":1}'})
    expect(sent.status).toBe(200)
    await app.waitFor(1)
    expect((await listen.stop()).code).toBe(0)
    expect(listen.stderr()).not.toMatch(/made a new one/)
    expect(localKey(box)).toBe(key)

    const again = await startServerProcess(box.env)
    onTestFinished(async () => void (await again.stop()))
    expect(again.apiKey).toBe(key)
    const projects = await runJson(['projects', 'list', '--json'], {env: box.env})
    expect(JSON.stringify(projects)).toContain(again.projectId)
  })

  it('a store that kept the key in plain text is migrated to its hash, and the key keeps working', async () => {
    const box = makeSandbox('caravan-key-')
    onTestFinished(() => box.cleanup())
    const first = await startServerProcess(box.env)
    const key = first.apiKey
    expect((await first.stop()).code).toBe(0)
    // Put the store back as schema version 2 left it: the plain key in meta.
    const db = openDb(box.dataDir)
    db.prepare(`DELETE FROM meta WHERE key = 'admin_api_key_sha256'`).run()
    db.prepare(`INSERT INTO meta (key, value) VALUES ('admin_api_key', ?)`).run(key)
    downgradeToV2(db)
    db.close()

    const again = await startServerProcess(box.env)
    onTestFinished(async () => void (await again.stop()))
    expect(again.apiKey).toBe(key)
    const meta = metaRows(box.dataDir)
    expect(Object.values(meta)).not.toContain(key)
    expect(meta.admin_api_key_sha256).toBe(sha256(key))
    expect((await fetch(`${again.url}/api/v1/projects`, {headers: {authorization: `Bearer ${key}`}})).status).toBe(200)
  })

  it('when the profile no longer holds the key, a new one replaces it (and is recorded), saying so', async () => {
    const box = makeSandbox('caravan-key-')
    onTestFinished(() => box.cleanup())
    const first = await startServerProcess(box.env)
    const oldKey = first.apiKey
    expect((await first.stop()).code).toBe(0)
    const other = makeSandbox('caravan-key-other-')
    onTestFinished(() => other.cleanup())
    // Same store, another config dir: no profile holds the key.
    const again = await startServerProcess({...box.env, CARAVAN_CONFIG_DIR: other.configDir})
    onTestFinished(async () => void (await again.stop()))
    expect(again.apiKey).not.toBe(oldKey)
    expect(again.stderr()).toContain('the admin API key is stored only as a hash and the local profile did not hold it')
    expect(localKey(other)).toBe(again.apiKey)
    const auth = (k: string) => fetch(`${again.url}/api/v1/projects`, {headers: {authorization: `Bearer ${k}`}})
    expect((await auth(again.apiKey)).status).toBe(200)
    expect((await auth(oldKey)).status).toBe(401)
  })
})
