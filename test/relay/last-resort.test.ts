import {spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {describe, expect, it, onTestFinished} from 'vitest'

import {assertBuilt, makeSandbox, ROOT, startServerProcess} from '../helpers/cli.js'
import {waitFor} from '../helpers/delivery.js'

/** Run a node process that installs the built last-resort policy, then runs `body`. */
function crashWith(body: string) {
  assertBuilt()
  const module = pathToFileURL(join(ROOT, 'dist', 'src', 'relay', 'last-resort.js')).href
  const script = `import {installLastResort} from ${JSON.stringify(module)}
installLastResort(() => 'caravan relay on http://127.0.0.1:5005 (data: /tmp/x)')
${body}
setTimeout(() => process.stdout.write('still running\\n'), 200)`
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], {encoding: 'utf8', timeout: 10_000})
}

describe('last-resort policy of the relay process', () => {
  it('an uncaught exception is logged with its context and the process exits 70, never continuing', () => {
    const result = crashWith(`setTimeout(() => { throw new Error('boom in a timer') }, 10)`)
    expect(result.status).toBe(70)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      /^caravan: fatal: uncaught exception in caravan relay on http:\/\/127\.0\.0\.1:5005 \(data: \/tmp\/x\) \(pid \d+\): Error: boom in a timer\n/,
    )
    expect(result.stderr).toContain(
      'caravan: exiting with code 70 so a supervisor restarts it; not continuing in an unknown state',
    )
  })

  it('an unhandled rejection does the same', () => {
    const result = crashWith(`void Promise.reject(new Error('nobody awaited me'))`)
    expect(result.status).toBe(70)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      /caravan: fatal: unhandled promise rejection in caravan relay .*: Error: nobody awaited me/,
    )
  })

  it('is installed in a real `caravan server`: a fault injected into the running relay exits 70 with the relay in the message', async () => {
    const box = makeSandbox('caravan-fatal-')
    onTestFinished(() => box.cleanup())
    const trigger = join(box.dir, 'crash-now')
    // Preloaded into the server process: throws from a timer once the test creates the trigger file.
    const inject = join(box.dir, 'inject.mjs')
    writeFileSync(
      inject,
      `import {existsSync} from 'node:fs'
const t = setInterval(() => { if (existsSync(${JSON.stringify(trigger)})) { clearInterval(t); throw new Error('injected fault') } }, 20)
t.unref()`,
    )
    const server = await startServerProcess({...box.env, NODE_OPTIONS: `--import=${pathToFileURL(inject).href}`})
    writeFileSync(trigger, '')
    await waitFor(() => !server.running(), {timeoutMs: 5000, what: 'the relay to exit'})
    const result = await server.stop()
    expect(result.code).toBe(70)
    expect(server.stderr()).toContain(
      `caravan: fatal: uncaught exception in caravan relay on ${server.url} (data: ${box.dataDir})`,
    )
    expect(server.stderr()).toContain('Error: injected fault')
  })
})
