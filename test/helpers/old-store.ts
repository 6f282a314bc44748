import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import Database from 'better-sqlite3'
import {expect, onTestFinished} from 'vitest'

import {registerStoreFunctions} from '../../src/store/db.js'
import {MIGRATIONS} from '../../src/store/migrations.js'
import {ulid, ulidFloor} from '../../src/util/ulid.js'

/**
 * A store file as a relay left it before the migration whose SQL contains `marker`: only the
 * migrations before it have run. Removed when the test ends.
 */
export function storeBeforeMigration(marker: string): Database.Database {
  const version = MIGRATIONS.findIndex((m) => m.includes(marker))
  expect(version, `no migration contains ${marker}`).toBeGreaterThan(0)
  const dir = mkdtempSync(join(tmpdir(), 'caravan-old-store-'))
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  const db = new Database(join(dir, 'caravan.db'))
  onTestFinished(() => void db.close())
  registerStoreFunctions(db)
  for (const sql of MIGRATIONS.slice(0, version)) db.exec(sql)
  db.pragma(`user_version = ${version}`)
  return db
}

/**
 * A unique id of the millisecond `ms`, as the relay made it when it stored a row then, for
 * rows seeded in the past (ulid() itself never goes back in time within a process).
 */
export function ulidAt(ms: number): string {
  return ulidFloor(ms).slice(0, 10) + ulid().slice(10)
}
