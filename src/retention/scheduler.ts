import type {Db} from '../store/db.js'
import {allProjects} from '../store/projects.js'
import {formatRetention, parseRetention} from './duration.js'
import {pruneEvents, type PruneResult} from './prune.js'

export interface RetentionOptions {
  db: Db
  write: <T>(work: () => T) => Promise<T>
  /** The server's --retention in ms; null: keep events unless a project sets its own policy. */
  defaultMs: number | null
  /** Between runs. Default 1 h. */
  intervalMs?: number
  /** Before the first run, so start-up is not slowed. Default 1 min. */
  firstRunMs?: number
  now?: () => number
  log: (line: string) => void
}

/** A project's `retention_policy.policy`, else the server's default; null keeps everything. */
export function retentionFor(policy: string | undefined, defaultMs: number | null): number | null {
  if (!policy) return defaultMs
  try {
    return parseRetention(policy)
  } catch {
    return defaultMs // validated when saved; an unreadable stored value must not stop the others
  }
}

/**
 * Prunes finished events older than each project's retention, now and then, in small
 * batches (see pruneEvents). One run at a time; stop() lets the current batch finish.
 */
export class RetentionScheduler {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<PruneResult[]> | undefined
  private stopping = false
  private readonly now: () => number

  constructor(private readonly opts: RetentionOptions) {
    this.now = opts.now ?? Date.now
  }

  start(): void {
    if (this.opts.defaultMs !== null)
      this.opts.log(`retention: pruning finished events older than ${formatRetention(this.opts.defaultMs)} (hourly)`)
    this.arm(this.opts.firstRunMs ?? 60_000)
  }

  private arm(ms: number): void {
    if (this.stopping) return
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error: Error) => this.opts.log(`retention: ${error.message}`))
        .finally(() => this.arm(this.opts.intervalMs ?? 3_600_000))
    }, ms)
    this.timer.unref?.()
  }

  /** One pass over every project (waits for a pass already running). */
  runOnce(now = this.now()): Promise<PruneResult[]> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined))
    return this.running
  }

  private async pass(now: number): Promise<PruneResult[]> {
    const results: PruneResult[] = []
    for (const project of allProjects(this.opts.db)) {
      if (this.stopping) break
      const keepMs = retentionFor(project.config.retention_policy?.policy, this.opts.defaultMs)
      if (keepMs === null) continue
      const result = await pruneEvents(this.opts.db, {
        before: now - keepMs,
        projectId: project.id,
        write: this.opts.write,
        stopped: () => this.stopping,
      })
      results.push(result)
      if (result.events || result.meta_events)
        this.opts.log(
          `retention: pruned ${result.events} events (${result.deliveries} deliveries, ${result.attempts} attempts) and ${result.meta_events} meta events of project ${project.id} created before ${result.before}`,
        )
    }
    return results
  }

  async stop(): Promise<void> {
    this.stopping = true
    if (this.timer) clearTimeout(this.timer)
    await this.running?.catch(() => undefined)
  }
}
