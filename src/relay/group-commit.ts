import type {Db} from '../store/db.js'

interface Job {
  work: () => unknown
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

/**
 * Group commit: writes that arrive in the same turn of the event loop share one
 * transaction, so one fsync covers many acknowledged webhooks. Each job runs in its own
 * savepoint (better-sqlite3 nests transactions that way), so one bad job fails alone.
 */
export class GroupCommit {
  private queue: Job[] = []
  private scheduled = false

  constructor(private readonly db: Db) {}

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
            results.push({job, ok: false, value: error})
          }
        }
      })()
    } catch (error) {
      // The commit itself failed: nothing is durable, so nobody is acknowledged.
      for (const job of jobs) job.reject(error)
      return
    }
    for (const r of results) (r.ok ? r.job.resolve : r.job.reject)(r.value)
  }
}
