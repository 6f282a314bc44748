import {storeUnavailableCode} from '../errors.js'
import type {Db} from '../store/db.js'
import type {StoreHealth} from './store-health.js'

interface Job {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/** A job hit a store condition: the whole batch is rolled back and every job rejected with it. */
class BatchAborted extends Error {
  constructor(readonly reason: unknown) {
    super('group commit aborted')
  }
}

/**
 * Group commit: writes that arrive in the same turn of the event loop share one
 * transaction, so one fsync covers many acknowledged webhooks. Each job runs in its own
 * savepoint (better-sqlite3 nests transactions that way), so one bad job fails alone.
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

  constructor(
    private readonly db: Db,
    private readonly health?: StoreHealth,
  ) {}

  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({work, resolve: resolve as (value: unknown) => void, reject})
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  private flush(): void {
    this.scheduled = false
    const jobs = this.queue
    this.queue = []
    const results: {job: Job; ok: boolean; value: unknown}[] = []
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          try {
            results.push({job, ok: true, value: this.db.transaction(job.work)()})
          } catch (error) {
            if (storeUnavailableCode(error) || !this.db.inTransaction) throw new BatchAborted(error)
            results.push({job, ok: false, value: error})
          }
        }
      })()
    } catch (error) {
      // The commit itself failed: nothing is durable, so nobody is acknowledged.
      const reason = error instanceof BatchAborted ? error.reason : error
      this.health?.failed('committing writes', reason)
      for (const job of jobs) job.reject(reason)
      return
    }
    this.health?.wrote()
    for (const r of results) (r.ok ? r.job.resolve : r.job.reject)(r.value)
  }
}
