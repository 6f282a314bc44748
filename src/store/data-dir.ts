import {chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {CaravanError} from '../errors.js'

export const LOCK_FILE = 'relay.lock'

/** What the lock file says about the relay holding the data dir. */
export interface LockHolder {
  pid: number
  host?: string
  port?: number
  started_at: string
}

/**
 * Make the data dir (owner-only) and tighten an existing one that others can read: it
 * holds API key hashes, secrets and webhook payloads. Returns a warning when it cannot.
 */
export function secureDataDir(dataDir: string): string | undefined {
  mkdirSync(dataDir, {recursive: true, mode: 0o700})
  const mode = statSync(dataDir).mode & 0o777
  if ((mode & 0o077) === 0) return undefined
  try {
    chmodSync(dataDir, 0o700)
    return `data dir ${dataDir} was mode ${mode.toString(8)}; tightened to 700 (it holds secrets and payloads)`
  } catch (error) {
    return `warning: data dir ${dataDir} is mode ${mode.toString(8)} and could not be tightened to 700 (${(error as Error).message}); others on this machine may read its secrets and payloads`
  }
}

/** Data dirs locked by relays in this process. */
const heldHere = new Set<string>()

/**
 * Whether the lock's pid still runs a relay. Our own pid counts only if this process holds
 * the lock (a container restarted with the same pid, often 1, finds its old lock); where
 * /proc shows the command line, a pid reused by something that is not node/caravan does not.
 */
function holderAlive(pid: number, file: string): boolean {
  if (pid === process.pid) return heldHere.has(file)
  try {
    process.kill(pid, 0)
  } catch (error) {
    // EPERM: it exists, it just is not ours to signal.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return /node|caravan/i.test(cmdline)
  } catch {
    return true
  }
}

function isFresh(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < 2000
  } catch {
    return false
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as LockHolder
    return Number.isInteger(parsed.pid) && parsed.pid > 0 ? parsed : undefined
  } catch {
    return undefined
  }
}

/**
 * One relay per data dir: two would both recover and send the same in-flight deliveries.
 * The lock is a file created with O_EXCL holding the owner's pid (and, once listening, its
 * address). A lock whose pid is gone (a crash, SIGKILL) is stale and taken over.
 */
export class DataDirLock {
  private constructor(
    readonly file: string,
    private holder: LockHolder,
  ) {}

  static acquire(dataDir: string): DataDirLock {
    const file = join(dataDir, LOCK_FILE)
    for (let tries = 0; tries < 5; tries++) {
      const holder: LockHolder = {pid: process.pid, started_at: new Date().toISOString()}
      let fd: number
      try {
        fd = openSync(file, 'wx', 0o600)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new CaravanError(
            'CARAVAN_ERR_STORE',
            `cannot lock the data dir ${dataDir}: ${(error as Error).message}`,
          )
        }
        const other = readHolder(file)
        if (!other && isFresh(file)) {
          // Created a moment ago and not written yet: another relay is starting.
          throw new CaravanError(
            'CARAVAN_ERR_DATA_DIR_IN_USE',
            `the data dir ${dataDir} is in use by another caravan relay (starting)`,
            {
              hint: `stop that relay first, or give this one its own --data-dir (or CARAVAN_DATA_DIR)`,
            },
          )
        }
        if (other && holderAlive(other.pid, file)) {
          const where = other.port ? ` on ${other.host ?? '127.0.0.1'}:${other.port}` : ' (starting)'
          throw new CaravanError(
            'CARAVAN_ERR_DATA_DIR_IN_USE',
            `the data dir ${dataDir} is in use by another caravan relay: pid ${other.pid}${where}`,
            {
              hint: `stop that relay first, or give this one its own --data-dir (or CARAVAN_DATA_DIR); if pid ${other.pid} is not a caravan relay, delete ${file}`,
            },
          )
        }
        // Stale (its process is gone) or never finished being written: take it over.
        try {
          unlinkSync(file)
        } catch (unlinkError) {
          if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError
        }
        continue
      }
      try {
        writeFileSync(fd, JSON.stringify(holder))
      } finally {
        closeSync(fd)
      }
      heldHere.add(file)
      return new DataDirLock(file, holder)
    }
    throw new CaravanError(
      'CARAVAN_ERR_DATA_DIR_IN_USE',
      `could not lock the data dir ${dataDir}: another relay keeps taking it`,
    )
  }

  /** Record where this relay listens, so a second one can name it. */
  setAddress(host: string, port: number): void {
    this.holder = {...this.holder, host, port}
    try {
      writeFileSync(this.file, JSON.stringify(this.holder), {mode: 0o600})
    } catch {
      // The lock still holds by pid; only the address in a refusal message is lost.
    }
  }

  release(): void {
    heldHere.delete(this.file)
    // Only our own: a lock that was taken over (we were thought dead) is left alone.
    if (readHolder(this.file)?.pid !== this.holder.pid) return
    try {
      unlinkSync(this.file)
    } catch {
      // Already gone.
    }
  }
}
