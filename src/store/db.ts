import Database from 'better-sqlite3'
import {chmodSync, mkdirSync} from 'node:fs'
import {join} from 'node:path'

import {CaravanError} from '../errors.js'
import {watchConfigWrites} from './config-cache.js'
import {MIGRATIONS} from './migrations.js'
import {hashApiKey} from './projects.js'

export type Db = Database.Database

export const DB_FILE = 'caravan.db'

/** How long a write waits for another connection's write lock before failing with SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000

const runners = new WeakMap<Db, (work: () => unknown) => unknown>()

/**
 * Run `work` in a transaction (a savepoint when one is open), committed when it returns and
 * rolled back when it throws. The same as `db.transaction(work)()`, without making a new
 * transaction function per call: better-sqlite3 builds four wrappers each time, a visible
 * share of every acknowledged webhook.
 */
export function atomic<T>(db: Db, work: () => T): T {
  let run = runners.get(db)
  if (!run) runners.set(db, (run = db.transaction((job: () => unknown) => job())))
  return run(work) as T
}

export interface OpenDbOptions {
  busyTimeoutMs?: number
}

/**
 * Open (and migrate) the store in `dataDir`. WAL keeps readers off the writer's back;
 * synchronous=FULL makes every commit durable before the relay acknowledges a webhook.
 */
export function openDb(dataDir: string, opts: OpenDbOptions = {}): Db {
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  const file = join(dataDir, DB_FILE)
  let db: Db
  try {
    db = new Database(file)
  } catch (error) {
    throw new CaravanError('CARAVAN_ERR_STORE', `cannot open the store at ${file}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  // The store holds API keys and webhook payloads: owner-only.
  chmodSync(file, 0o600)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`)
  registerStoreFunctions(db)
  migrate(db)
  watchConfigWrites(db)
  return db
}

/** SQL functions the migrations use (SQLite has no SHA-256 of its own to hash a secret). */
export function registerStoreFunctions(db: Db): void {
  db.function('caravan_sha256', {deterministic: true}, (value: unknown) =>
    typeof value === 'string' ? hashApiKey(value) : value,
  )
}

export function migrate(db: Db): void {
  const current = db.pragma('user_version', {simple: true}) as number
  if (current > MIGRATIONS.length) {
    throw new CaravanError(
      'CARAVAN_ERR_STORE',
      `the store is at schema version ${current}, newer than this caravan (${MIGRATIONS.length}); upgrade caravan`,
    )
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version])
      db.pragma(`user_version = ${version + 1}`)
    })()
  }
}
