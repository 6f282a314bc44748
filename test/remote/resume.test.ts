import {describe, expect, onTestFinished, test} from 'vitest'

import {RECONNECT_DELAYS_MS, StreamClient} from '../../src/listen/stream-client.js'
import {makeSandbox} from '../helpers/cli.js'
import {startSink, waitFor} from '../helpers/delivery.js'
import {
  attemptsOf,
  connectedListeners,
  deliveriesOf,
  listenInProcess,
  registerListener,
  sendWebhook,
  startGateway,
  startListen,
  startProxy,
  succeeded,
} from './support.js'

/**
 * "Events received while the laptop slept are delivered when it wakes": the gateway keeps
 * each listener's deliveries until it reports a final result, and a restarted listen with
 * the same name resumes them, oldest first.
 */
describe('resuming after the listener goes away', () => {
  test('SIGKILL the listener, send 20 events, start it again: each is delivered exactly once, in order', async () => {
    const g = await startGateway()
    const app = await startSink()
    // The same laptop: same config/data dirs and the default listener name (host:source:target).
    const laptop = makeSandbox('caravan-laptop-')
    onTestFinished(() => laptop.cleanup())
    const args = ['--forward', app.url, '--source', 'remote']

    const first = await startListen(g, args, {sandbox: laptop})
    await sendWebhook(first.ingestUrl, {seq: -1})
    await first.waitForLines(1)
    first.child.kill('SIGKILL')
    expect((await first.exited).signal).toBe('SIGKILL')
    await waitFor(async () => (await connectedListeners(g)).length === 0, {
      what: 'the gateway to notice the killed listener',
    })

    const ids: string[] = []
    for (let seq = 0; seq < 20; seq++) ids.push(await sendWebhook(first.ingestUrl, {seq}))
    // Kept at the gateway while nobody listens.
    for (const id of ids) expect((await deliveriesOf(g, id)).map((d) => d.status)).toEqual(['Scheduled'])
    expect(app.requests).toHaveLength(1)

    const second = await startListen(g, args, {sandbox: laptop})
    expect(second.stderr()).toMatch(/^20 event\(s\) waiting from before; delivering them first$/m)
    for (const id of ids) {
      const [delivery] = await succeeded(g, id)
      expect(await attemptsOf(g, delivery.uid)).toHaveLength(1)
    }
    const lines = await second.waitForLines(20)
    expect(lines.map((l) => l.event_id)).toEqual(ids)
    expect(app.requests.slice(1).map((r) => JSON.parse(r.body.toString()).seq)).toEqual([...Array(20).keys()])
    expect(app.requests).toHaveLength(21)
  })

  test('an event the listener was forwarding when it died is offered again on restart (at-least-once) and recorded once', async () => {
    const g = await startGateway()
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    // The app sits on the first request until the listener is dead.
    const app = await startSink((request) => (request.index === 0 ? {until: held} : {status: 200}))
    const laptop = makeSandbox('caravan-laptop-')
    onTestFinished(() => laptop.cleanup())
    const args = ['--forward', app.url, '--source', 'remote', '--name', 'laptop']

    const first = await startListen(g, args, {sandbox: laptop})
    const id = await sendWebhook(first.ingestUrl, {seq: 0})
    await app.waitForRequests(1, 10_000)
    first.child.kill('SIGKILL')
    await first.exited
    release()
    const [pending] = await deliveriesOf(g, id)
    expect(pending.status).toBe('Scheduled')
    expect(await attemptsOf(g, pending.uid)).toEqual([])

    const second = await startListen(g, args, {sandbox: laptop})
    expect(second.stderr()).toMatch(/^1 event\(s\) waiting from before/m)
    const [delivery] = await succeeded(g, id)
    expect(await attemptsOf(g, delivery.uid)).toHaveLength(1)
    const got = await app.waitForRequests(2)
    expect(got.map((r) => r.body.toString())).toEqual(['{"seq":0}', '{"seq":0}'])
  })

  test('the gateway restarts: listen reports each failed reconnect on stderr, reconnects and carries on', async () => {
    const g = await startGateway()
    const app = await startSink()
    const listener = await startListen(g, ['--forward', app.url, '--source', 'remote', '--name', 'laptop'])

    await g.stop()
    // Back as soon as listen waits 1 s: it reconnects then (or after its next 5 s wait on a slow machine).
    await listener.waitForStderr(/reconnecting in 1s/, 15_000)
    await g.start()
    await listener.waitForStderr(/reconnected to the gateway/, 15_000)
    const news = listener
      .stderr()
      .split('\n')
      .filter((l) => !/^Ready!/.test(l) && l)
    // The first retry is immediate; every failure is reported; the delays grow.
    const backoff = [
      'stream closed (1001 relay shutting down)',
      'cannot reach the gateway stream: ECONNREFUSED',
      'reconnecting in 100ms',
      'cannot reach the gateway stream: ECONNREFUSED',
      'reconnecting in 1s',
    ]
    const slow = ['cannot reach the gateway stream: ECONNREFUSED', 'reconnecting in 5s']
    expect([
      [...backoff, 'reconnected to the gateway'],
      [...backoff, ...slow, 'reconnected to the gateway'],
    ]).toContainEqual(news)

    const id = await sendWebhook(listener.ingestUrl, {after: 'restart'})
    await succeeded(g, id)
    expect((await app.waitForRequests(1)).map((r) => r.body.toString())).toEqual(['{"after":"restart"}'])
    expect(listener.running()).toBe(true)
  })

  test('the reconnect backoff is 0, 100 ms, 1 s, then 5 s each time (seen through the scheduler, not waited out)', async () => {
    expect(RECONNECT_DELAYS_MS).toEqual([0, 100, 1000, 5000])
    const g = await startGateway()
    const registered = await registerListener(g, {name: 'backoff', target: 'http://127.0.0.1:9/'})
    const delays: number[] = []
    let held: (() => void) | undefined
    const client = new StreamClient({
      url: g.url.replace(/^http/, 'ws') + registered.stream_path,
      apiKey: g.key,
      // Each reconnect runs at once, and the sixth is held until the gateway is back.
      schedule: (run, delayMs) => {
        delays.push(delayMs)
        if (delays.length < 6) return setTimeout(run, 0)
        held = run
        return setTimeout(() => undefined, 0)
      },
    })
    const status: string[] = []
    client.on('status', (line) => status.push(line))
    client.on('fatal', (error) => status.push(`fatal: ${error.message}`))
    onTestFinished(() => client.close())
    client.start()
    await waitFor(async () => (await connectedListeners(g)).length === 1, {what: 'the listener to connect'})

    await g.stop()
    await waitFor(() => held, {what: () => `six reconnects scheduled (delays so far: ${JSON.stringify(delays)})`})
    expect(delays).toEqual([0, 100, 1000, 5000, 5000, 5000])
    expect(status).toEqual([
      'stream closed (1001 relay shutting down)',
      'cannot reach the gateway stream: ECONNREFUSED',
      'reconnecting in 100ms',
      'cannot reach the gateway stream: ECONNREFUSED',
      'reconnecting in 1s',
      'cannot reach the gateway stream: ECONNREFUSED',
      'reconnecting in 5s',
      'cannot reach the gateway stream: ECONNREFUSED',
      'reconnecting in 5s',
      'cannot reach the gateway stream: ECONNREFUSED',
      'reconnecting in 5s',
    ])

    await g.start()
    held!()
    await waitFor(() => status.includes('reconnected to the gateway'), {what: () => `a reconnect (${status.at(-1)})`})
    await waitFor(async () => (await connectedListeners(g)).length === 1, {what: 'the gateway to see it again'})
  })

  test('--skip-backlog drops only what waited before listen started, not what arrives while it reconnects', async () => {
    const g = await startGateway()
    const proxy = await startProxy(g.port)
    const app = await startSink()
    const registered = await registerListener(g, {name: 'laptop', target: app.url})
    const old = await sendWebhook(registered.source.url, {seq: 0})

    // listen reaches the gateway through the proxy; the test posts webhooks to the gateway directly.
    const listener = await listenInProcess({...g, url: proxy.url}, {target: app.url, name: 'laptop', skipBacklog: true})
    expect(listener.backlog).toBe(0)
    expect((await deliveriesOf(g, old)).map((d) => [d.status, d.description])).toEqual([
      ['Discarded', 'skipped: listen --skip-backlog'],
    ])

    proxy.refuse(true)
    proxy.drop()
    await waitFor(() => listener.status.some((l) => l.startsWith('stream closed')), {
      what: () => `the stream to drop (status: ${JSON.stringify(listener.status)})`,
    })
    await waitFor(async () => (await connectedListeners(g)).length === 0, {what: 'the gateway to see the listener go'})
    const during = await sendWebhook(registered.source.url, {seq: 1})
    proxy.refuse(false)
    await waitFor(() => listener.status.includes('reconnected to the gateway'), {
      timeoutMs: 10_000,
      what: () => `a reconnect (status: ${JSON.stringify(listener.status)})`,
    })
    await succeeded(g, during)
    expect((await app.waitForRequests(1)).map((r) => r.body.toString())).toEqual(['{"seq":1}'])
  })
})
