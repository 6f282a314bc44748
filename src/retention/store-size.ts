import {statSync} from 'node:fs'
import {join} from 'node:path'

import {type Db, DB_FILE} from '../store/db.js'

export interface StoreStats {
  /** The store's files on disk (database, WAL and its index), in bytes. */
  bytes: number
  /** Of those, pages freed by pruning: reused for new data before the file grows again. */
  free_bytes: number
  events: number
}

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0 // no WAL yet, or checkpointed away
  }
}

export function storeStats(db: Db, dataDir: string): StoreStats {
  const base = join(dataDir, DB_FILE)
  const pageSize = db.pragma('page_size', {simple: true}) as number
  const freePages = db.pragma('freelist_count', {simple: true}) as number
  const {n} = db.prepare(`SELECT COUNT(*) AS n FROM events`).get() as {n: number}
  return {
    bytes: fileSize(base) + fileSize(`${base}-wal`) + fileSize(`${base}-shm`),
    free_bytes: pageSize * freePages,
    events: n,
  }
}

/**
 * storeStats, computed at most once per `ttlMs`: /healthz needs no key, and counting a
 * large events table on every probe would let anyone keep the relay busy.
 */
export function cachedStoreStats(db: Db, dataDir: string, ttlMs = 5000, now = Date.now): () => StoreStats {
  let cached: {at: number; stats: StoreStats} | undefined
  return () => {
    if (!cached || now() - cached.at >= ttlMs) cached = {at: now(), stats: storeStats(db, dataDir)}
    return cached.stats
  }
}
