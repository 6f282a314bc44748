import {createServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort, makeSandbox, runCli} from '../helpers/cli.js'
import {rawRequest, startListen, until} from '../helpers/listen.js'

/** Issue 11 item 12: `listen --forward-timeout`, for an app stopped at a breakpoint. */

async function slowApp(delayMs: () => number) {
  const seen: number[] = []
  const server = createServer((req, res) => {
    req.resume()
    seen.push(Date.now())
    const timer = setTimeout(() => res.end('ok'), delayMs())
    res.on('close', () => clearTimeout(timer))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen}
}

async function env() {
  const sandbox = makeSandbox('caravan-fwd-timeout-')
  onTestFinished(() => sandbox.cleanup())
  return {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`}
}

describe('listen --forward-timeout', () => {
  it('a forward slower than the timeout counts as failed and is retried', async () => {
    let first = true
    const app = await slowApp(() => (first ? ((first = false), 60_000) : 0))
    const listen = await startListen(['--forward', app.url, '--forward-timeout', '300ms', '--json'], await env())
    expect((await rawRequest(listen.ingestUrl, {body: '{}'})).status).toBe(200)
    const printed = await listen.waitForLines(2, 15_000)
    const [failed, ok] = printed.map((l) => JSON.parse(l))
    expect(failed).toMatchObject({status: null, attempt: 1})
    expect(failed.error).toMatch(/timed out/)
    expect(ok).toMatchObject({status: 200, attempt: 2})
    expect(app.seen).toHaveLength(2)
    expect((await listen.stop()).code).toBe(0)
  })

  it('0 waits as long as the app takes: one forward, no retry', async () => {
    const app = await slowApp(() => 1500)
    const listen = await startListen(['--forward', app.url, '--forward-timeout', '0', '--json'], await env())
    expect((await rawRequest(listen.ingestUrl, {body: '{}'})).status).toBe(200)
    const [line] = await listen.waitForLines(1, 15_000)
    expect(JSON.parse(line)).toMatchObject({status: 200, attempt: 1})
    await until(() => app.seen.length >= 1, 'the request at the app')
    expect(app.seen).toHaveLength(1)
    expect((await listen.stop()).code).toBe(0)
  })

  it('a value that is not a duration is a usage error', async () => {
    const result = await runCli(['listen', '--forward', '3000', '--forward-timeout', 'forever'], {env: await env()})
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/not a duration: "forever"/)
  })
})
