import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort, type Env, makeSandbox, runCli} from '../helpers/cli.js'
import {rawRequest, startApp, startListen, until} from '../helpers/listen.js'

/**
 * Issue 11 item 2: the same `caravan listen` run in a second terminal must not take down
 * the first one, its relay or its ingest URL; and when the listen that runs the embedded
 * relay stops, the relay lives on in a remaining listen (same port, same store, same URL).
 */

async function embeddedEnv(): Promise<Env> {
  const sandbox = makeSandbox('caravan-twice-')
  onTestFinished(() => sandbox.cleanup())
  return {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`}
}

const post = (url: string, body: string) =>
  rawRequest(url, {body, headers: {'content-type': 'application/json', 'x-github-event': 'push'}})

describe('listen run twice', () => {
  it('the same command again is refused clearly; the first keeps forwarding', async () => {
    const env = await embeddedEnv()
    const app = await startApp()
    const first = await startListen(['--forward', `${app.url}/hooks`], env)
    expect(first.stderr()).toMatch(/started an embedded relay/)

    const second = await runCli(['listen', '--forward', `${app.url}/hooks`], {env})
    expect(second.code, second.stderr).toBe(8)
    expect(second.stdout).toBe('')
    expect(second.stderr).toMatch(
      /^Error: another caravan listen already forwards source default to http:\/\/127\.0\.0\.1:\d+\/hooks/,
    )
    expect(second.stderr).toMatch(/Hint: .*caravan listen --name NAME/)

    // The first is untouched: still running, its ingest URL still answers and forwards.
    expect(first.child.exitCode).toBeNull()
    expect((await post(first.ingestUrl, '{"n":1}')).status).toBe(200)
    const [got] = await app.waitFor(1)
    expect(got.body.toString()).toBe('{"n":1}')
    expect((await first.stop()).code).toBe(0)
  })

  it('a second listener joins the relay; when the first stops, the relay and URL live on in the second', async () => {
    const env = await embeddedEnv()
    const app = await startApp()
    const first = await startListen(['--forward', `${app.url}/hooks`], env)
    const second = await startListen(['--forward', `${app.url}/hooks`, '--name', 'second'], env)
    // It joined the running relay instead of starting its own.
    expect(second.stderr()).not.toMatch(/started an embedded relay/)
    expect(second.stderr()).toMatch(/using the relay another caravan listen runs on http:\/\/127\.0\.0\.1:\d+/)
    expect(second.ingestUrl).toBe(first.ingestUrl)

    const stopped = await first.stop()
    expect(stopped.code, stopped.stderr).toBe(0)
    await until(
      () => /this one runs it now on http:\/\/127\.0\.0\.1:\d+/.test(second.stderr()),
      () => `the second listen to take the relay over\n${second.stderr()}`,
      15_000,
    )
    expect(second.child.exitCode).toBeNull()

    // Same ingest URL, answering, and events reach the app through the second listen.
    const before = app.requests.length
    const answer = await until(
      async () => {
        const r = await post(second.ingestUrl, '{"after":"handover"}').catch(() => undefined)
        return r?.status === 200 && r
      },
      'the ingest URL to answer again',
      15_000,
    )
    expect(answer.status).toBe(200)
    await until(
      () => app.requests.slice(before).find((r) => r.body.toString() === '{"after":"handover"}'),
      'the event to reach the app through the second listen',
      15_000,
    )
    const printed = await second.waitForLines(1)
    expect(printed.join('\n')).toMatch(/\[200\]/)
    const end = await second.stop()
    expect(end.code, JSON.stringify(end)).toBe(0)
  })
})
