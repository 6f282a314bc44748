import {storeUnavailableCode} from '../errors.js'
import {atomic, type Db} from '../store/db.js'
import {type Syncer, WalSync} from '../store/wal-sync.js'
import type {StoreHealth} from './store-health.js'

interface Job {
  work: () => unknown
  durable: boolean
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** A job hit a store condition: the whole batch is rolled back and every job rejected with it. */
class BatchAborted extends Error {
  constructor(readonly reason: unknown) {
    super('group commit aborted')
  }
}

export interface WriteOptions {
  /**
   * false: resolve once committed (visible to every later read) without waiting for the
   * disk. For writes a crash may lose without harm because they are redone: a claim
   * (a Processing delivery is requeued at start), a delivery result (resent after a crash,
   * at least once). Default true: resolve only once the commit is on disk — what an
   * acknowledgement needs.
   */
  durable?: boolean
}

/**
 * Group commit: writes that arrive in the same turn of the event loop share one
 * transaction, so one fsync covers many acknowledged webhooks. Each job runs in its own
 * savepoint (better-sqlite3 nests transactions that way), so one bad job fails alone.
 *
 * The fsync runs off the event loop: the batch commits with synchronous=NORMAL (the WAL
 * is written, not synced) and WalSync syncs the WAL in the thread pool; durable jobs are
 * answered when that sync is done, while the loop goes on with the next batch. The
 * connection's other writes keep synchronous=FULL.
 *
 * A store condition (disk full, write lock held elsewhere, I/O error) fails the whole
 * batch instead: SQLite may already have rolled the outer transaction back, and the jobs
 * after it would otherwise commit one by one while their callers are told they failed.
 * Nothing in a failed batch is durable and nobody is acknowledged; callers answer 503 or
 * keep their result and retry.
 */
export class GroupCommit {
  private queue: Job[] = []
  private scheduled = false
  private readonly walSync: Syncer

  constructor(
    private readonly db: Db,
    private readonly health?: StoreHealth,
    syncer?: Syncer,
  ) {
    this.walSync = syncer ?? new WalSync(db)
  }

  run<T>(work: () => T, options: WriteOptions = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({work, durable: options.durable ?? true, resolve: resolve as (value: unknown) => void, reject})
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    if (this.walSync.busy) {
      // A sync is running: what commits now is acknowledged only after the next one
      // anyway, so let this batch grow until then — fewer, larger commits write fewer pages.
      void this.walSync.idle().then(() => this.flush())
      return
    }
    this.scheduled = false
    const jobs = this.queue
    this.queue = []
    if (!this.db.open) {
      // The relay stopped while these waited behind a sync: nothing of them was written.
      for (const job of jobs) job.reject(new Error('the store is closed'))
      return
    }
    const results: {job: Job; ok: boolean; value: unknown}[] = []
    try {
      // exec, not a kept statement: SQLite applies this pragma when it compiles it.
      this.db.exec('PRAGMA synchronous = NORMAL')
      atomic(this.db, () => {
        for (const job of jobs) {
          try {
            results.push({job, ok: true, value: atomic(this.db, job.work)})
          } catch (error) {
            if (storeUnavailableCode(error) || !this.db.inTransaction) throw new BatchAborted(error)
            results.push({job, ok: false, value: error})
          }
        }
      })
    } catch (error) {
      // The commit itself failed: nothing is durable, so nobody is acknowledged.
      const reason = error instanceof BatchAborted ? error.reason : error
      this.health?.failed('committing writes', reason)
      for (const job of jobs) job.reject(reason)
      return
    } finally {
      this.db.exec('PRAGMA synchronous = FULL')
    }
    this.health?.wrote()
    const durable: typeof results = []
    for (const r of results) {
      if (r.job.durable && r.ok) durable.push(r)
      else (r.ok ? r.job.resolve : r.job.reject)(r.value)
    }
    if (!durable.length) return
    this.walSync.sync().then(
      () => {
        for (const r of durable) r.job.resolve(r.value)
      },
      (error: unknown) => {
        // Committed but maybe not on disk: not acknowledged (the sender retries; at least once).
        this.health?.failed('syncing writes to disk', error)
        for (const r of durable) r.job.reject(error)
      },
    )
  }

  /** Waits for the last sync and lets go of the WAL's file descriptor (before the store closes). */
  close(): Promise<void> {
    return this.walSync.close()
  }
}
