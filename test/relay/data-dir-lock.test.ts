import {spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it, onTestFinished} from 'vitest'

import {CaravanError} from '../../src/errors.js'
import {DataDirLock, LOCK_FILE} from '../../src/store/data-dir.js'

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-lock-'))
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

const holderOf = (dir: string) => JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as {pid: number; port?: number}

describe('data dir lock', () => {
  it('refuses a second holder in the same process, naming the first once it listens', () => {
    const dir = tempDir()
    const lock = DataDirLock.acquire(dir)
    onTestFinished(() => lock.release())
    expect(() => DataDirLock.acquire(dir)).toThrow(`in use by another caravan relay: pid ${process.pid} (starting)`)
    lock.setAddress('127.0.0.1', 5005)
    let refused: unknown
    try {
      DataDirLock.acquire(dir)
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(CaravanError)
    expect((refused as CaravanError).code).toBe('CARAVAN_ERR_DATA_DIR_IN_USE')
    expect((refused as CaravanError).message).toContain(`pid ${process.pid} on 127.0.0.1:5005`)
    lock.release()
    DataDirLock.acquire(dir).release()
  })

  it('takes over a lock naming its own pid that this process does not hold (a container restarted as pid 1)', () => {
    const dir = tempDir()
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({pid: process.pid, port: 5005, started_at: 'before'}))
    const lock = DataDirLock.acquire(dir)
    onTestFinished(() => lock.release())
    expect(holderOf(dir)).toMatchObject({pid: process.pid})
    expect(holderOf(dir).port).toBeUndefined()
  })

  // Needs /proc to see what a pid runs (Linux); elsewhere a live pid is trusted.
  it.runIf(existsSync('/proc/self/cmdline'))(
    'takes over a lock whose pid now runs something that is not a relay',
    async () => {
      const dir = tempDir()
      const other = spawn('sleep', ['30'], {stdio: 'ignore'})
      onTestFinished(() => void other.kill('SIGKILL'))
      await new Promise((resolve) => other.once('spawn', resolve))
      writeFileSync(join(dir, LOCK_FILE), JSON.stringify({pid: other.pid, port: 5005, started_at: 'before'}))
      const lock = DataDirLock.acquire(dir)
      onTestFinished(() => lock.release())
      expect(holderOf(dir).pid).toBe(process.pid)
    },
  )

  it('release leaves a lock another relay has taken over alone', () => {
    const dir = tempDir()
    const lock = DataDirLock.acquire(dir)
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({pid: 999_999, started_at: 'later'}))
    lock.release()
    expect(holderOf(dir).pid).toBe(999_999)
  })
})
