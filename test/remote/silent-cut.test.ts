import {describe, expect, onTestFinished, test} from 'vitest'

import {DeliveryQueue} from '../../src/listen/delivery-queue.js'
import {Forwarder} from '../../src/listen/forwarder.js'
import {StreamClient} from '../../src/listen/stream-client.js'
import type {HelloFrame} from '../../src/relay/stream-protocol.js'
import {startSink, waitFor} from '../helpers/delivery.js'
import {
  connectedListeners,
  deliveriesOf,
  registerListener,
  sendWebhook,
  startGateway,
  startListen,
  startProxy,
  succeeded,
} from './support.js'

/**
 * A connection that dies without a FIN or RST (laptop lid closed, Wi-Fi gone) is only
 * noticed by heartbeats: the gateway drops the listener and keeps its events; the listener
 * notices on its side, reconnects and gets them.
 */

describe('silent cuts', () => {
  test('SIGSTOP the listener: the gateway drops it within its dead bound, keeps the events, and SIGCONT delivers them', async () => {
    const g = await startGateway({stream: {heartbeatMs: 200, deadAfterMs: 1000}})
    const app = await startSink()
    const listener = await startListen(g, ['--forward', app.url, '--source', 'remote', '--name', 'sleepy'])
    await sendWebhook(listener.ingestUrl, {seq: 0})
    await listener.waitForLines(1)

    process.kill(listener.pid, 'SIGSTOP')
    onTestFinished(() => void (listener.running() && process.kill(listener.pid, 'SIGCONT')))
    await waitFor(async () => (await connectedListeners(g)).length === 0, {
      timeoutMs: 10_000,
      what: 'the gateway to drop the stopped listener',
    })
    expect(g.logs).toContain('listener listen:sleepy stopped answering heartbeats; dropped (its events stay queued)')

    const ids: string[] = []
    for (let seq = 1; seq <= 3; seq++) ids.push(await sendWebhook(listener.ingestUrl, {seq}))
    for (const id of ids) expect((await deliveriesOf(g, id)).map((d) => d.status)).toEqual(['Scheduled'])
    expect(app.requests).toHaveLength(1)

    process.kill(listener.pid, 'SIGCONT')
    await listener.waitForStderr(/reconnected to the gateway/)
    for (const id of ids) await succeeded(g, id)
    const got = await app.waitForRequests(4)
    expect(got.map((r) => JSON.parse(r.body.toString()).seq)).toEqual([0, 1, 2, 3])
    expect((await connectedListeners(g)).map((l) => l.name)).toEqual(['listen:sleepy'])
  })

  test('the link goes silent (no close at all): the listener’s own heartbeat notices, it reconnects, and what was sent into the void is delivered', async () => {
    const g = await startGateway({stream: {heartbeatMs: 200, deadAfterMs: 1000}})
    const proxy = await startProxy(g.port)
    const app = await startSink()
    const registered = await registerListener(g, {name: 'cut', target: app.url})

    // What `listen` wires together, with short heartbeats so the test stays quick.
    const client = new StreamClient({
      url: proxy.url.replace(/^http/, 'ws') + registered.stream_path,
      apiKey: g.key,
      heartbeatMs: 100,
      deadAfterMs: 600,
    })
    const forwarder = new Forwarder()
    const queue = new DeliveryQueue({
      forwarder,
      target: new URL(app.url),
      report: (frame) => client.send(frame),
      onAttempt: () => undefined,
    })
    const status: string[] = []
    const hellos: HelloFrame[] = []
    client.on('event', (frame) => queue.push(frame))
    client.on('status', (line) => status.push(line))
    client.on('hello', (hello) => hellos.push(hello))
    client.on('fatal', (error) => status.push(`fatal: ${error.message}`))
    onTestFinished(async () => {
      client.close()
      queue.stop()
      await forwarder.close()
    })
    client.start()
    await waitFor(() => hellos.length === 1, {what: 'hello'})

    const before = await sendWebhook(registered.source.url, {seq: 0})
    await succeeded(g, before)

    proxy.freeze()
    const during = await sendWebhook(registered.source.url, {seq: 1})
    await waitFor(() => status.includes('reconnected to the gateway'), {
      timeoutMs: 10_000,
      what: () => `a reconnect (status: ${JSON.stringify(status)})`,
    })
    expect(status[0]).toBe('no heartbeat from the gateway for 1s; reconnecting')
    await succeeded(g, during)
    const got = await app.waitForRequests(2)
    expect(got.map((r) => JSON.parse(r.body.toString()).seq)).toEqual([0, 1])
    expect(hellos).toHaveLength(2)
    expect(status.filter((l) => l.startsWith('fatal'))).toEqual([])
  })
})
