import {mkdirSync, mkdtempSync, rmSync, statfsSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import {monitorEventLoopDelay} from 'node:perf_hooks'

/** The package root (this file runs from dist/bench/). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

export interface BenchOptions {
  quick: boolean
  concurrency: number
}

/**
 * Everything a run starts is registered here and undone in reverse order, on success,
 * on error and on Ctrl-C: relays and sinks stopped, the temp tree removed.
 */
export class Harness {
  readonly root: string
  private readonly undo: {what: string; fn: () => unknown}[] = []
  private dirCount = 0

  constructor(readonly options: BenchOptions) {
    this.root = mkdtempSync(join(tmpdir(), 'caravan-bench-'))
    this.defer('remove temp dir', () => rmSync(this.root, {recursive: true, force: true}))
  }

  /** A fresh directory under the run's temp root. */
  dir(name: string): string {
    const path = join(this.root, `${++this.dirCount}-${name}`)
    mkdirSync(path, {recursive: true, mode: 0o700})
    return path
  }

  defer(what: string, fn: () => unknown): void {
    this.undo.push({what, fn})
  }

  /** Run `fn` with its own clean-up scope: what it defers is undone when it ends. */
  async scope<T>(fn: (h: Harness) => Promise<T>): Promise<T> {
    const mark = this.undo.length
    try {
      return await fn(this)
    } finally {
      await this.unwind(mark)
    }
  }

  async unwind(mark = 0): Promise<void> {
    while (this.undo.length > mark) {
      const {what, fn} = this.undo.pop()!
      try {
        await fn()
      } catch (error) {
        progress(`clean-up "${what}" failed: ${(error as Error).message}`)
      }
    }
  }
}

/** Progress goes to stderr, so stdout holds only the report. */
export function progress(line: string): void {
  process.stderr.write(`bench: ${line}\n`)
}

/** Event-loop delay while `fn` runs: shows when synchronous work (e.g. fsync) stalls the loop. */
export async function withLoopDelay<T>(
  fn: () => Promise<T>,
): Promise<{result: T; loopP99Ms: number; loopMaxMs: number}> {
  const histogram = monitorEventLoopDelay({resolution: 5})
  histogram.enable()
  try {
    const result = await fn()
    histogram.disable()
    return {result, loopP99Ms: histogram.percentile(99) / 1e6, loopMaxMs: histogram.max / 1e6}
  } finally {
    histogram.disable()
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Wait until `probe()` is true or the deadline passes; returns whether it became true. */
export async function until(probe: () => boolean, timeoutMs: number, intervalMs = 5): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!probe()) {
    if (performance.now() > deadline) return false
    await sleep(intervalMs)
  }
  return true
}

const FS_TYPES: Record<number, string> = {
  0xef53: 'ext2/3/4',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x6969: 'nfs',
  0x2fc12fc1: 'zfs',
  0x65735546: 'fuse',
}

/** The file system kind under `path` (fsync cost depends on it: tmpfs makes it free). */
export function fsType(path: string): string {
  try {
    const type = statfsSync(path).type
    return FS_TYPES[type] ?? `0x${type.toString(16)}`
  } catch {
    return 'unknown'
  }
}
