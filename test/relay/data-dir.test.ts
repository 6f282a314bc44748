import {spawnSync} from 'node:child_process'
import {chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort, makeSandbox, runCli, startServerProcess} from '../helpers/cli.js'
import {LOCK_FILE} from '../../src/store/data-dir.js'

/** A pid that belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'})
  return Number(child.stdout)
}

describe('one relay per data dir', () => {
  it('a second relay on the same data dir exits 15 naming the running one (pid, port); the first is untouched', async () => {
    const box = makeSandbox('caravan-lock-')
    onTestFinished(() => box.cleanup())
    const first = await startServerProcess(box.env)
    onTestFinished(async () => void (await first.stop()))
    const holder = JSON.parse(readFileSync(join(box.dataDir, LOCK_FILE), 'utf8')) as {pid: number; port: number}
    expect(holder.port).toBe(first.port)

    const second = await runCli(['server', '--port', '0'], {env: box.env})
    expect(second.code).toBe(15)
    expect(second.stdout).toBe('')
    expect(second.stderr).toContain(
      `Error: the data dir ${box.dataDir} is in use by another caravan relay: pid ${holder.pid} on 127.0.0.1:${first.port}`,
    )
    expect(second.stderr).toMatch(/Hint: stop that relay first, or give this one its own --data-dir/)
    // The first relay still serves, and still holds the lock.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200)
    expect(JSON.parse(readFileSync(join(box.dataDir, LOCK_FILE), 'utf8')).pid).toBe(holder.pid)

    // `listen` starting its embedded relay (its gateway is not answering) on the same store: refused too.
    const free = await closedPort()
    const listen = await runCli(['listen', '--forward', '3000', '--gateway', `http://127.0.0.1:${free}`], {
      env: box.env,
    })
    expect(listen.code).toBe(15)
    expect(listen.stderr).toContain(`pid ${holder.pid} on 127.0.0.1:${first.port}`)

    const stopped = await first.stop()
    expect(stopped.code).toBe(0)
    expect(existsSync(join(box.dataDir, LOCK_FILE))).toBe(false)
  })

  it('a stale lock (its process is gone, e.g. after SIGKILL) is taken over', async () => {
    const box = makeSandbox('caravan-lock-')
    onTestFinished(() => box.cleanup())
    mkdirSync(box.dataDir, {recursive: true, mode: 0o700})
    const gone = deadPid()
    writeFileSync(join(box.dataDir, LOCK_FILE), JSON.stringify({pid: gone, port: 5999, started_at: 'then'}))
    const relay = await startServerProcess(box.env)
    onTestFinished(async () => void (await relay.stop()))
    const holder = JSON.parse(readFileSync(join(box.dataDir, LOCK_FILE), 'utf8')) as {pid: number; port: number}
    expect(holder.pid).not.toBe(gone)
    expect(holder.port).toBe(relay.port)
  })

  it('an existing data dir others can read (755) is tightened to 700, and says so', async () => {
    const box = makeSandbox('caravan-mode-')
    onTestFinished(() => box.cleanup())
    mkdirSync(box.dataDir, {recursive: true})
    chmodSync(box.dataDir, 0o755)
    const relay = await startServerProcess(box.env)
    onTestFinished(async () => void (await relay.stop()))
    expect(statSync(box.dataDir).mode & 0o777).toBe(0o700)
    expect(relay.stderr()).toContain(`data dir ${box.dataDir} was mode 755; tightened to 700`)
  })
})
