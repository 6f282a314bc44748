import type {Db} from './db.js'

/**
 * Rows read on every request and every delivery but seldom written — API keys, projects,
 * endpoints, subscriptions, sources and their filters — kept in memory per connection.
 * Reading them was about a sixth of an acknowledged webhook's CPU in the profile.
 *
 * The store says when to forget: temporary triggers (this connection's only, nothing is
 * added to the file) call back on every insert, update or delete of a watched table,
 * however the write is made, and every cached row is dropped. A write inside a transaction
 * may still be rolled back, so while one that wrote a watched table is open nothing read
 * in it is kept, and everything is dropped again once it has ended.
 *
 * Triggers see only this connection's writes. The relay is the store's only writer (its
 * data-dir lock); a commit by any other connection (the sqlite3 shell, a test) changes
 * `PRAGMA data_version`, which drops everything too — read at most every 25 ms, so such a
 * change is seen within that (read on every cached read, it cost 4.5 % of the relay's CPU,
 * more than the reads it saved). A connection opened without `watchConfigWrites` never caches.
 */
const WATCHED = ['api_keys', 'projects', 'endpoints', 'subscriptions', 'subscription_filters', 'sources']

export const isWatched = (table: string): boolean => WATCHED.includes(table)

/** How often another connection's commits are looked for. */
const OTHER_COMMITS_CHECK_MS = 25

/** Entries per kind; past it the kind starts afresh (a relay has far fewer of each). */
const MAX_ENTRIES = 5000

interface Watch {
  /** Bumped by every write this connection makes to a watched table. */
  generation: number
  /** `PRAGMA data_version` at the last read: it changes when another connection commits. */
  dataVersion: () => number
  otherCommits: number
  /** When data_version was last read (performance.now()). */
  checkedAt: number
  /** The generation the entries were read at. */
  seen: number
  /** A watched table was written in the transaction that is (or was, until checked) open. */
  writtenInTransaction: boolean
  caches: Map<string, Map<string, unknown>>
}

const watches = new WeakMap<Db, Watch>()

export function watchConfigWrites(db: Db): void {
  const dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck()
  const watch: Watch = {
    generation: 0,
    dataVersion: () => dataVersion.get() as number,
    otherCommits: -1,
    checkedAt: -Infinity,
    seen: 0,
    writtenInTransaction: false,
    caches: new Map(),
  }
  db.function('caravan_config_written', {deterministic: false}, () => {
    watch.generation++
    if (db.inTransaction) watch.writtenInTransaction = true
    return null
  })
  for (const table of WATCHED) {
    for (const op of ['INSERT', 'UPDATE', 'DELETE']) {
      db.exec(
        `CREATE TEMP TRIGGER IF NOT EXISTS caravan_watch_${table}_${op.toLowerCase()} AFTER ${op} ON main.${table} BEGIN SELECT caravan_config_written(); END`,
      )
    }
  }
  watches.set(db, watch)
}

/**
 * The value cached for `key` of `kind`, or what `load` reads (then kept, unless read where
 * it could be rolled back). `undefined` (not found) is never kept. Values are shared between
 * callers: give out only frozen values or copies.
 */
export function cachedRead<V>(db: Db, kind: string, key: string, load: () => V | undefined): V | undefined {
  const watch = watches.get(db)
  if (!watch) return load()
  if (watch.writtenInTransaction && !db.inTransaction) {
    // The transaction that wrote ended; whether it committed or not, read afresh.
    watch.writtenInTransaction = false
    watch.generation++
  }
  const now = performance.now()
  if (now - watch.checkedAt >= OTHER_COMMITS_CHECK_MS) {
    watch.checkedAt = now
    const otherCommits = watch.dataVersion()
    if (otherCommits !== watch.otherCommits) {
      watch.otherCommits = otherCommits
      watch.generation++
    }
  }
  if (watch.seen !== watch.generation) {
    watch.caches.clear()
    watch.seen = watch.generation
  }
  let cache = watch.caches.get(kind)
  if (!cache) watch.caches.set(kind, (cache = new Map()))
  const hit = cache.get(key) as V | undefined
  if (hit !== undefined) return hit
  const value = load()
  if (value !== undefined && !(watch.writtenInTransaction && db.inTransaction)) {
    if (cache.size >= MAX_ENTRIES) cache.clear()
    cache.set(key, value)
  }
  return value
}

/** Freezes a value and everything in it (cached values are shared). */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
