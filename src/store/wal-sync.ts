import {close, fdatasync, fsync, open} from 'node:fs'
import {dirname} from 'node:path'
import {promisify} from 'node:util'

import type {Db} from './db.js'

const openFile = promisify(open)
const syncData = promisify(fdatasync)
const syncAll = promisify(fsync)
const closeFile = promisify(close)

/**
 * Makes commits durable off the event loop. A WAL-mode commit run with synchronous=NORMAL
 * writes its frames to the `-wal` file without syncing it; `fdatasync` of that file then
 * makes every commit written before the call durable, exactly what synchronous=FULL does
 * inside COMMIT, but in libuv's thread pool, so the loop keeps serving requests meanwhile.
 *
 * Calls coalesce: while one sync runs, every caller that arrives waits for the next one
 * (its commit may have missed the running one), and that next one serves all of them.
 * A checkpoint syncs the WAL itself before copying it into the database, and restarts the
 * WAL in the same file, so the descriptor stays valid for the connection's lifetime.
 */
/** What the group commit needs of a syncer (WalSync; tests give it one they control). */
export interface Syncer {
  sync(): Promise<void>
  idle(): Promise<void>
  readonly busy: boolean
  close(): Promise<void>
}

export class WalSync implements Syncer {
  private fd: number | undefined
  private running: Promise<void> | undefined
  private queued: Promise<void> | undefined

  constructor(private readonly db: Db) {}

  /** Resolves once every commit made before the call is on disk. */
  sync(): Promise<void> {
    if (this.db.memory) return Promise.resolve()
    if (this.queued) return this.queued
    if (!this.running) {
      this.running = this.syncOnce().finally(() => (this.running = undefined))
      return this.running
    }
    const settled = () => undefined
    this.queued = this.running.then(settled, settled).then(() => {
      this.queued = undefined
      return this.sync()
    })
    return this.queued
  }

  /** Settles when no sync is running (at once when none is). */
  idle(): Promise<void> {
    const settled = () => undefined
    return this.running ? this.running.then(settled, settled) : Promise.resolve()
  }

  get busy(): boolean {
    return this.running !== undefined
  }

  async close(): Promise<void> {
    // A batch held back behind the running sync commits when it ends and starts another.
    while (this.running) await this.running.catch(() => undefined)
    const fd = this.fd
    this.fd = undefined
    if (fd !== undefined) await closeFile(fd)
  }

  private async syncOnce(): Promise<void> {
    try {
      await this.syncWal()
    } catch (error) {
      throw syncFailure(error)
    }
  }

  private async syncWal(): Promise<void> {
    if (this.fd === undefined) {
      const fd = await openFile(`${this.db.name}-wal`, 'r')
      // SQLite syncs the directory when it creates the WAL, on its first own sync of it,
      // which under NORMAL comes only with the first checkpoint: the file's name must be
      // durable before the commits in it are.
      const dir = await openFile(dirname(this.db.name), 'r')
      try {
        await syncAll(dir)
      } finally {
        await closeFile(dir)
      }
      this.fd = fd
    }
    await syncData(this.fd)
  }
}

/** A failed sync reads like SQLite's own (SQLITE_FULL, SQLITE_IOERR_FSYNC), so the store's health and 503s cover it. */
function syncFailure(error: unknown): Error {
  const cause = error as NodeJS.ErrnoException
  const code = cause.code === 'ENOSPC' || cause.code === 'EDQUOT' ? 'SQLITE_FULL' : 'SQLITE_IOERR_FSYNC'
  return Object.assign(new Error(`syncing the store to disk failed: ${cause.message}`, {cause}), {code})
}
