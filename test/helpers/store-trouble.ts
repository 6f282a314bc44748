import Database from 'better-sqlite3'
import {join} from 'node:path'

import {onTestFinished} from 'vitest'

import {DB_FILE, type Db} from '../../src/store/db.js'

/**
 * Real store conditions for tests: another process's write lock (SQLITE_BUSY once the
 * relay's busy timeout runs out) and a full store (SQLITE_FULL from PRAGMA max_page_count).
 */

export interface WriteLock {
  /** Another connection to the same file, for reading what the relay committed. */
  db: Db
  /** End the lock (ROLLBACK). */
  release(): void
}

/** Take the store's write lock from a second connection, as another process would. */
export function holdWriteLock(dataDir: string): WriteLock {
  const db = new Database(join(dataDir, DB_FILE))
  db.pragma('busy_timeout = 1000')
  db.exec('BEGIN IMMEDIATE')
  let held = true
  const release = () => {
    if (!held) return
    held = false
    db.exec('ROLLBACK')
  }
  onTestFinished(() => {
    release()
    db.close()
  })
  return {db, release}
}

/** Cap the relay's store at the pages it has now: the next write that needs a page fails SQLITE_FULL. */
export function fillStore(db: Db): {release(): void} {
  // Free pages (left by a migration's dropped index) would take writes first: give them back.
  if ((db.pragma('freelist_count', {simple: true}) as number) > 0) db.exec('VACUUM')
  const pages = db.pragma('page_count', {simple: true}) as number
  const freelist = db.pragma('freelist_count', {simple: true}) as number
  if (freelist > 0) throw new Error(`the store has ${freelist} free pages: a full store would still take writes`)
  db.pragma(`max_page_count = ${pages}`)
  return {release: () => void db.pragma('max_page_count = 4294967294')}
}
