import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort, type Env, makeSandbox, runCli, runJson, startServerProcess} from '../helpers/cli.js'
import {rawRequest, startApp, startListen, until} from '../helpers/listen.js'

/**
 * Issue 11 item 5: after one mistaken `listen --forward localhost:<wrong port>`, that
 * listener must not lurk unseen: status and `listeners list` show it, events waiting only
 * for it say so, `listeners remove` clears it, and the relay expires unused ones.
 */

async function embedded(): Promise<Env> {
  const sandbox = makeSandbox('caravan-listeners-')
  onTestFinished(() => sandbox.cleanup())
  return {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`}
}

const lines = (text: string) => text.split('\n').filter(Boolean)

describe('caravan listeners', () => {
  it('a mistaken listener is shown, its waiting events say so, and listeners remove clears it', async () => {
    const env = await embedded()
    const app = await startApp()
    const wrong = `127.0.0.1:${await closedPort()}`
    const mistaken = await startListen(['--forward', `${wrong}/hooks`], env)
    expect((await mistaken.stop()).code).toBe(0)
    const listen = await startListen(['--forward', `${app.url}/hooks`], env)

    expect((await rawRequest(listen.ingestUrl, {body: '{"n":1}'})).status).toBe(200)
    await app.waitFor(1)

    const list = await runJson(['listeners', 'list', '--json'], {env})
    expect(list).toHaveLength(2)
    const stale = list.find((l: {target: string}) => l.target.includes(wrong))
    const live = list.find((l: {target: string}) => l.target.startsWith(app.url))
    expect(stale).toMatchObject({connected: false, source: 'default', waiting: 1})
    expect(stale.last_seen_at).toMatch(/^\d{4}-/)
    expect(live).toMatchObject({connected: true, waiting: 0})
    const table = await runCli(['listeners', 'list'], {env})
    expect(lines(table.stdout)[0]).toMatch(/^NAME +SOURCE +TARGET +STATE +WAITING$/)
    expect(table.stdout).toMatch(/not connected, last seen \d{4}-\d\d-\d\d/)

    const status = await runCli(['status'], {env})
    expect(status.code, status.stderr).toBe(0)
    expect(status.stdout).toMatch(
      new RegExp(
        `^not connected +${stale.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(source default -> http://${wrong}/hooks, 1 waiting, last seen `,
        'm',
      ),
    )
    const statusJson = JSON.parse((await runCli(['status', '--json'], {env})).stdout)
    expect(statusJson.listeners).toHaveLength(1)
    expect(statusJson.listeners_not_connected).toEqual([expect.objectContaining({name: stale.name, waiting: 1})])

    // The event went to the app; what is left only waits for the absent listener.
    const events = await runCli(['events', 'list'], {env})
    expect(lines(events.stdout)[0]).toMatch(/^ID +TYPE +STATUS +ENDPOINTS +CREATED$/)
    expect(lines(events.stdout)[1]).toMatch(/ Waiting for listener +0 +\d{4}-/)
    const [event] = (await runJson(['events', 'list', '--json'], {env})).content
    expect(event.status).toBe('Pending')
    expect(event.delivery_summary).toMatchObject({endpoints: 0, listener_deliveries: 2, waiting_for_listener: 1})

    const removed = await runCli(['listeners', 'remove', stale.name], {env})
    expect(removed.code, removed.stderr).toBe(0)
    expect(removed.stdout).toBe(`Removed listener ${stale.name} (1 waiting event(s) discarded)\n`)
    expect(await runJson(['listeners', 'list', '--json'], {env})).toHaveLength(1)
    const after = (await runJson(['events', 'list', '--json'], {env})).content[0]
    expect(after.status).toBe('Success')
    const unknown = await runCli(['listeners', 'remove', stale.name], {env})
    expect(unknown.code).toBe(5)
    expect(unknown.stderr).toMatch(/^Error: no listener named ".*"\nHint: list them with: caravan listeners list/)
    expect((await listen.stop()).code).toBe(0)
  })

  it('removing a running listener stops its listen with a clear message', async () => {
    const env = await embedded()
    const app = await startApp()
    const first = await startListen(['--forward', `${app.url}/a`], env)
    const second = await startListen(['--forward', `${app.url}/b`], env)
    const [, b] = await runJson(['listeners', 'list', '--json'], {env})
    expect(b.target).toBe(`${app.url}/b`)
    expect((await runCli(['listeners', 'remove', b.listener_id], {env})).code).toBe(0)
    const result = await second.exited
    expect(result.code).toBe(8)
    expect(result.stderr).toMatch(/Error: this listener was removed at the gateway/)
    expect(first.child.exitCode).toBeNull()
    expect((await first.stop()).code).toBe(0)
  })

  it('the relay expires listeners not connected for --listener-ttl', async () => {
    const env = await embedded()
    const app = await startApp()
    const old = await startListen(['--forward', `${app.url}/old`], env)
    expect((await old.stop()).code).toBe(0)
    const bad = await runCli(['server', '--port', '0', '--listener-ttl', 'soon'], {env})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/not a duration: "soon"/)

    // Older than the TTL by the time the relay starts; the relay looks at start.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const server = await startServerProcess(env, {args: ['--listener-ttl', '1s']})
    onTestFinished(async () => void (await server.stop({graceMs: 3000})))
    const left = await until(async () => {
      const list = await runJson(['listeners', 'list', '--json', '--gateway', server.url], {env})
      return list.length === 0 && list
    }, 'the expired listener to go')
    expect(left).toEqual([])
    expect(server.stderr()).toMatch(/removed 1 listener\(s\) not connected within the listener TTL/)
  })
})
