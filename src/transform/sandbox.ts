import {Worker} from 'node:worker_threads'

/**
 * Convoy's transformation functions (`function transform(payload) { … }`) run in QuickJS
 * compiled to WebAssembly: a separate JavaScript engine with its own heap, no access to
 * Node, the file system or the network (nothing is exposed to it but `console.log`), a
 * memory limit and a time limit. Not `node:vm`, which shares the host's engine and can be
 * escaped.
 *
 * The engine lives in a worker thread (worker.mjs), never on the relay's event loop: a
 * function that loops forever (any API key can save one) holds only the worker, while
 * ingest, the API and other deliveries go on. Jobs run one at a time; a watchdog replaces
 * a worker that does not answer, and the queue is bounded so a flood cannot grow memory.
 */

export interface SandboxLimits {
  /** Wall-clock budget of one run; the engine is interrupted past it. */
  timeMs: number
  memoryBytes: number
}

/** A payload transform needs microseconds; a function that loops forever costs the worker 100 ms. */
export const DEFAULT_LIMITS: SandboxLimits = {timeMs: 100, memoryBytes: 16 * 1024 * 1024}

/** Largest function source accepted. */
export const MAX_FUNCTION_BYTES = 64 * 1024

/** Past the time limit by this much, a job's worker is taken to be stuck and replaced. */
const WATCHDOG_MARGIN_MS = 1000
const DEFAULT_MAX_WAITING = 1000

export type TransformResult = {ok: true; payload: unknown; log: string[]} | {ok: false; error: string; log: string[]}

export interface SandboxOptions {
  /** Limits of every run unless a call passes its own (default DEFAULT_LIMITS). */
  limits?: SandboxLimits
  /** How long a job may go unanswered before its worker is stopped (default: its time limit + 1 s). */
  watchdogMs?: number
  /** Jobs that may wait behind the running one (default 1000); more fail at once as busy. */
  maxWaiting?: number
}

/** The sandbox cannot take a job (its queue is full, or it was stopped): not the function's fault. */
export class SandboxUnavailable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SandboxUnavailable'
  }
}

interface Job {
  id: number
  kind: 'transform' | 'check'
  source: string
  /** JSON text of the payload. */
  input: string
  limits: SandboxLimits
}

type Answer =
  {id: number; ok: true; output: string; log: string[]} | {id: number; ok: false; error: string; log: string[]}

interface Task {
  job: Job
  resolve(answer: Answer): void
  reject(error: Error): void
  watchdog?: NodeJS.Timeout
}

interface Slot {
  worker: Worker
  /** Resolves once QuickJS has loaded in the worker; rejects if it cannot. */
  ready: Promise<void>
}

// The worker is plain JavaScript beside this file, in src/ (tests) and in dist/ (the build copies it).
const WORKER_URL = new URL('./worker.mjs', import.meta.url)

let liveWorkers = 0
/** Worker threads of all sandboxes in this process that have not exited yet (for tests). */
export const liveSandboxWorkers = (): number => liveWorkers

export class Sandbox {
  /** Workers started so far: the first, then one per replacement after a hang or crash. */
  workersStarted = 0
  private readonly limits: SandboxLimits
  private readonly watchdogMs?: number
  private readonly maxWaiting: number
  private current?: Slot
  private running?: Task
  private readonly waiting: Task[] = []
  private nextId = 1
  private closed = false

  private constructor(options: SandboxOptions) {
    this.limits = options.limits ?? DEFAULT_LIMITS
    this.watchdogMs = options.watchdogMs
    this.maxWaiting = options.maxWaiting ?? DEFAULT_MAX_WAITING
  }

  /**
   * A sandbox whose worker starts with its first job (loading QuickJS takes ~0.2 s of CPU;
   * most relays never run a function). A worker that cannot load fails that job, saying why.
   */
  static lazy(options: SandboxOptions = {}): Sandbox {
    return new Sandbox(options)
  }

  /** Start the worker and wait for QuickJS to load in it: throws if it cannot. */
  static async start(options: SandboxOptions = {}): Promise<Sandbox> {
    const sandbox = new Sandbox(options)
    const slot = (sandbox.current = sandbox.spawn())
    try {
      await slot.ready
    } catch (error) {
      await sandbox.close()
      throw error
    }
    return sandbox
  }

  /**
   * Run `transform(payload)` from `source` on a JSON value; the result must be JSON too.
   * Resolves with a failed result for anything the function does (including hanging its
   * worker); rejects only with SandboxUnavailable.
   */
  async runTransform(source: string, payload: unknown, limits: SandboxLimits = this.limits): Promise<TransformResult> {
    if (Buffer.byteLength(source) > MAX_FUNCTION_BYTES)
      return {ok: false, error: `the function is longer than ${MAX_FUNCTION_BYTES} bytes`, log: []}
    const answer = await this.submit({kind: 'transform', source, input: JSON.stringify(payload ?? null), limits})
    return answer.ok
      ? {ok: true, payload: JSON.parse(answer.output) as unknown, log: answer.log}
      : {ok: false, error: answer.error, log: answer.log}
  }

  /**
   * Null when `source` defines transform() (without calling it), else what is wrong: checked
   * when a function is saved. Rejects only with SandboxUnavailable.
   */
  async functionProblem(source: string): Promise<string | null> {
    if (Buffer.byteLength(source) > MAX_FUNCTION_BYTES) return `the function is longer than ${MAX_FUNCTION_BYTES} bytes`
    const answer = await this.submit({kind: 'check', source, input: 'null', limits: this.limits})
    return answer.ok ? null : answer.error
  }

  /** Jobs running or waiting. */
  get pendingJobs(): number {
    return (this.running ? 1 : 0) + this.waiting.length
  }

  /** Fail what is queued and stop the worker; resolves once it has exited. */
  async close(): Promise<void> {
    this.closed = true
    const stopped = new SandboxUnavailable('the transformation sandbox was stopped')
    for (const task of this.waiting.splice(0)) task.reject(stopped)
    if (this.running) this.finish(this.running, {error: stopped})
    const slot = this.current
    this.current = undefined
    if (slot) await slot.worker.terminate()
  }

  private submit(job: Omit<Job, 'id'>): Promise<Answer> {
    if (this.closed) return Promise.reject(new SandboxUnavailable('the transformation sandbox was stopped'))
    if (this.running && this.waiting.length >= this.maxWaiting)
      return Promise.reject(
        new SandboxUnavailable(`the transformation sandbox is busy (${this.maxWaiting} functions waiting); try again`),
      )
    return new Promise((resolve, reject) => {
      this.waiting.push({job: {...job, id: this.nextId++}, resolve, reject})
      this.pump()
    })
  }

  /** Send the next waiting job to the worker (starting one if there is none), one at a time. */
  private pump(): void {
    if (this.running || this.closed) return
    const task = this.waiting.shift()
    if (!task) {
      // Idle, the worker does not keep the process alive; a job it runs does.
      this.current?.worker.unref()
      return
    }
    this.running = task
    const slot = (this.current ??= this.spawn())
    slot.worker.ref()
    slot.ready.then(
      () => {
        if (this.running !== task) return
        const ms = this.watchdogMs ?? task.job.limits.timeMs + WATCHDOG_MARGIN_MS
        task.watchdog = setTimeout(() => this.stuck(slot, task, ms), ms)
        slot.worker.postMessage(task.job)
      },
      (error: Error) => {
        // No worker could start: this job fails; the next one tries a fresh worker.
        if (this.current === slot) this.current = undefined
        this.finish(task, {error})
      },
    )
  }

  /** The watchdog fired: QuickJS's own interrupt did not stop the run. Replace the worker. */
  private stuck(slot: Slot, task: Task, ms: number): void {
    if (this.running !== task) return
    if (this.current === slot) this.current = this.spawn()
    void slot.worker.terminate()
    this.finish(task, {
      answer: {
        id: task.job.id,
        ok: false,
        error: `the function did not stop within ${ms} ms, so its worker was stopped and replaced`,
        log: [],
      },
    })
  }

  private finish(task: Task, outcome: {answer: Answer} | {error: Error}): void {
    if (this.running !== task) return
    clearTimeout(task.watchdog)
    this.running = undefined
    if ('answer' in outcome) task.resolve(outcome.answer)
    else task.reject(outcome.error)
    this.pump()
  }

  private spawn(): Slot {
    // Referenced while it loads and while it runs a job (see pump).
    // None of the parent's Node flags (a loader, --input-type…): the worker is plain JavaScript.
    const worker = new Worker(WORKER_URL, {execArgv: []})
    liveWorkers++
    this.workersStarted++
    let loaded = false
    let failure: Error | undefined
    let settle!: {resolve: () => void; reject: (error: Error) => void}
    const ready = new Promise<void>((resolve, reject) => (settle = {resolve, reject}))
    ready.catch(() => undefined) // handled by whoever awaits it
    const slot: Slot = {worker, ready}
    worker.on('message', (message: {ready?: boolean; error?: string} & Partial<Answer>) => {
      if (!loaded) {
        if (message.ready) {
          loaded = true
          if (!this.running) worker.unref()
          settle.resolve()
        } else {
          failure = new Error(`the transformation sandbox could not load QuickJS: ${message.error}`)
          void worker.terminate()
        }
        return
      }
      const task = this.running
      if (task && this.current === slot && message.id === task.job.id) this.finish(task, {answer: message as Answer})
    })
    worker.on('error', (error) => {
      failure ??= new Error(`the transformation sandbox's worker failed: ${error.message}`)
    })
    worker.once('exit', (code) => {
      liveWorkers--
      if (!loaded)
        settle.reject(
          failure ?? new Error(`the transformation sandbox's worker exited (code ${code}) before it was ready`),
        )
      if (this.current !== slot) return // stopped on purpose (watchdog or close)
      this.current = undefined
      const task = this.running
      if (task && loaded)
        this.finish(task, {
          answer: {
            id: task.job.id,
            ok: false,
            error: `the sandbox's worker stopped while running the function (${failure?.message ?? `exit code ${code}`})`,
            log: [],
          },
        })
    })
    return slot
  }
}
