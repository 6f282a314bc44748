import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {Duplex} from 'node:stream'

import {describe, expect, onTestFinished, test} from 'vitest'

import {StreamClient} from '../../src/listen/stream-client.js'
import {makeSandbox, runCli} from '../helpers/cli.js'
import {startSink, waitFor} from '../helpers/delivery.js'
import {
  attemptsOf,
  deliveriesOf,
  type Gateway,
  launchListen,
  listenInProcess,
  type RawFrame,
  rawStream,
  registerListener,
  resultFor,
  sendWebhook,
  startGateway,
  succeeded,
} from './support.js'

/**
 * What the remote path does with bad input on either side: a wrong key or a gateway that is
 * no Caravan relay (clear error, one try), and listeners that misbehave on the stream (the
 * gateway drops them within a bound and keeps their events for the next listener).
 */

/** A plain HTTP server on port 0, closed after the test. */
async function plainServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  onUpgrade?: (req: IncomingMessage, socket: Duplex) => void,
): Promise<string> {
  const server = createServer(handler)
  if (onUpgrade) server.on('upgrade', onUpgrade)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(body))
}

/**
 * Enough of a Caravan relay for listen to register (health, POST listeners), whose stream
 * answers every upgrade with `status`; counts the upgrade requests.
 */
async function refusingGateway(status: number, message: string): Promise<{url: string; upgrades: () => number}> {
  let upgrades = 0
  const url = await plainServer(
    (req, res) => {
      if (req.url === '/healthz')
        return json(res, 200, {status: true, message: 'Caravan relay is healthy', data: {version: '0.1.0'}})
      if (req.method === 'POST' && req.url === '/api/v1/projects/p1/listeners') {
        req.resume()
        return json(res, 201, {
          status: true,
          message: 'Listener registered',
          data: {
            listener_id: 'L1',
            source: {name: 'remote', url: 'https://hooks.example.com/ingest/abc'},
            stream_path: '/api/v1/projects/p1/stream?listener=L1',
          },
        })
      }
      json(res, 404, {status: false, message: 'not found'})
    },
    (_req, socket) => {
      upgrades++
      const body = JSON.stringify({status: false, message})
      socket.end(
        `HTTP/1.1 ${status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
    },
  )
  return {url, upgrades: () => upgrades}
}

function laptop() {
  const box = makeSandbox('caravan-laptop-')
  onTestFinished(() => box.cleanup())
  return box
}

const helloOf = (raw: {frames: RawFrame[]}) => raw.frames.find((f) => f.type === 'hello')!

describe('bad keys and gateways that are not Caravan relays', () => {
  test('a wrong API key: listen exits 4 at once with a clear 401 message and no retries', async () => {
    const g = await startGateway()
    const app = await startSink()
    const box = laptop()
    const result = await runCli(
      [
        'listen',
        '--gateway',
        g.url,
        '--api-key',
        'not-the-key',
        '--project',
        g.projectId,
        '--forward',
        app.url,
        '--json',
      ],
      {env: box.env, timeoutMs: 15_000},
    )
    expect(result.code, result.stderr).toBe(4)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^Error: the gateway refused the API key: invalid API key$/m)
    expect(result.stderr).not.toMatch(/reconnect|embedded relay/)
  })

  test('a key the stream refuses (401 on the upgrade): one attempt, exit 4, the gateway’s reason on stderr', async () => {
    const gateway = await refusingGateway(401, 'this API key was revoked')
    const result = await runCli(
      ['listen', '--gateway', gateway.url, '--api-key', 'k', '--project', 'p1', '--forward', '3000', '--json'],
      {env: laptop().env, timeoutMs: 15_000},
    )
    expect(result.code, result.stderr).toBe(4)
    expect(result.stderr).toMatch(/^Error: the gateway refused the stream: this API key was revoked$/m)
    expect(result.stderr).not.toMatch(/reconnect/)
    expect(gateway.upgrades()).toBe(1)
  })

  test('a gateway without the listener stream (404 on the upgrade): one attempt, exit 7, asks whether it is a Caravan relay', async () => {
    const gateway = await refusingGateway(404, 'no such route')
    const result = await runCli(
      ['listen', '--gateway', gateway.url, '--api-key', 'k', '--project', 'p1', '--forward', '3000', '--json'],
      {env: laptop().env, timeoutMs: 15_000},
    )
    expect(result.code, result.stderr).toBe(7)
    expect(result.stderr).toMatch(/the gateway has no listener stream here \(no such route\): is it a Caravan relay\?/)
    expect(gateway.upgrades()).toBe(1)
  })

  test('a stream failing with 503 is transient: listen keeps trying with growing delays and says so', async () => {
    const gateway = await refusingGateway(503, 'deploying')
    const g: Gateway = {url: gateway.url, key: 'k', projectId: 'p1'}
    const listener = launchListen(g, ['--forward', '3000'])
    await listener.waitForStderr(/reconnecting in 1s/)
    expect(listener.stderr()).toMatch(/the gateway answered the stream with HTTP 503\nreconnecting in 100ms\n/)
    expect(gateway.upgrades()).toBeGreaterThanOrEqual(3)
    listener.child.kill('SIGINT')
    expect((await listener.exited).code).toBe(0)
  })

  test.each([
    {
      what: 'a web server answering HTML',
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        res.writeHead(200, {'content-type': 'text/html'})
        res.end('<!doctype html><title>Welcome</title>')
      },
      // Found out from /healthz before any key is sent: on loopback, the relay's port is taken.
      code: 9,
      message: /^Error: port \d+ on 127\.0\.0\.1 is used by something that is not a Caravan relay/,
    },
    {
      what: 'a Convoy server (no listener API)',
      handler: (req: IncomingMessage, res: ServerResponse) => {
        if (req.url === '/health') return json(res, 200, {status: true, message: 'Convoy is healthy'})
        json(res, 404, {status: false, message: '404 page not found'})
      },
      code: 7,
      message: /not a Caravan relay/,
    },
  ])(
    '--gateway pointing at $what: exit $code with a clear error, no embedded relay',
    async ({handler, code, message}) => {
      const url = await plainServer(handler)
      const box = laptop()
      const result = await runCli(
        ['listen', '--gateway', url, '--api-key', 'k', '--project', 'p1', '--forward', '3000', '--json'],
        {env: box.env, timeoutMs: 15_000},
      )
      expect(result.code, result.stderr).toBe(code)
      expect(result.stdout).toBe('')
      expect(result.stderr).toMatch(message)
      expect(result.stderr).not.toMatch(/embedded relay|reconnect/)
    },
  )
})

describe('listeners that misbehave on the stream', () => {
  test('garbage frames get error frames; the fifth closes the stream (1008); the event waits for the next listener', async () => {
    const g = await startGateway()
    const raw = await rawStream(g, 'junk')
    await raw.waitForFrames((f) => f.some((x) => x.type === 'hello'), 'hello')
    const id = await sendWebhook(helloOf(raw).source.url, {seq: 0})
    const [event] = await raw
      .waitForFrames((f) => f.some((x) => x.type === 'event'), 'the event')
      .then(() => raw.events())

    raw.ws.send('not json')
    raw.ws.send(JSON.stringify({type: 'hello'}))
    raw.ws.send(JSON.stringify({type: 'result', delivery_id: 42}))
    raw.ws.send(Buffer.from([0xde, 0xad, 0xbe, 0xef]), {binary: true})
    raw.ws.send(
      JSON.stringify({type: 'result', delivery_id: event.delivery_id, final: 'yes', status: 200, latency_ms: 1}),
    )
    expect(await raw.closed).toEqual({code: 1008, reason: 'too many invalid frames'})
    expect(raw.frames.filter((f) => f.type === 'error').map((f) => f.message)).toEqual([
      'frame is not JSON',
      'expected a frame of type "result"',
      'result.delivery_id must be a string',
      'frame is not JSON',
      'result.final must be true or false',
    ])

    const [delivery] = await deliveriesOf(g, id)
    expect(delivery.status).toBe('Scheduled')
    expect(await attemptsOf(g, delivery.uid)).toEqual([])
    const app = await startSink()
    expect((await listenInProcess(g, {target: app.url, name: 'junk'})).backlog).toBe(1)
    await succeeded(g, id)
    expect((await app.waitForRequests(1)).map((r) => r.body.toString())).toEqual(['{"seq":0}'])
  })

  test('results with fields of the wrong type are refused with error frames, never crash the gateway, and record nothing', async () => {
    const g = await startGateway()
    const raw = await rawStream(g, 'typed')
    await raw.waitForFrames((f) => f.some((x) => x.type === 'hello'), 'hello')
    const id = await sendWebhook(helloOf(raw).source.url, {seq: 0})
    await raw.waitForFrames((f) => f.some((x) => x.type === 'event'), 'the event')
    const base = resultFor(raw.events()[0])
    for (const wrong of [
      {body_base64: 12},
      {url: {href: 'http://x'}},
      {headers: {'content-type': 'text/plain'}},
      {request_headers: {'x-n': 1}},
      {error: {}},
    ]) {
      raw.ws.send(JSON.stringify({...base, ...wrong}))
    }
    expect((await raw.closed).code).toBe(1008)
    expect(raw.frames.filter((f) => f.type === 'error').map((f) => f.message)).toEqual([
      'result.body_base64 must be a string',
      'result.url must be a string',
      'result.headers must map names to arrays of strings',
      'result.request_headers must map names to strings',
      'result.error must be a string',
    ])
    // Still up, nothing recorded, the attempts list still readable.
    expect((await fetch(`${g.url}/healthz`)).status).toBe(200)
    const [delivery] = await deliveriesOf(g, id)
    expect(delivery.status).toBe('Scheduled')
    expect(await attemptsOf(g, delivery.uid)).toEqual([])

    // The same listener connecting again gets the event again and can answer it properly.
    const again = await rawStream(g, 'typed')
    await again.waitForFrames((f) => f.some((x) => x.type === 'event'), 'the event again')
    again.ws.send(JSON.stringify(resultFor(again.events()[0], 204)))
    const [done] = await succeeded(g, id)
    expect((await attemptsOf(g, done.uid)).map((a) => a.http_status)).toEqual(['204'])
  })

  test('a listener that takes events and never answers is dropped after the ack bound (4001); the next listener gets them all', async () => {
    const g = await startGateway({stream: {heartbeatMs: 100, ackTimeoutMs: 500}})
    const raw = await rawStream(g, 'mute')
    await raw.waitForFrames((f) => f.some((x) => x.type === 'hello'), 'hello')
    const ids: string[] = []
    for (let seq = 0; seq < 3; seq++) ids.push(await sendWebhook(helloOf(raw).source.url, {seq}))
    await raw.waitForFrames(() => raw.events().length === 3, '3 events')
    // It answers pings (ws does that by itself), so only the ack bound can catch it.
    expect(await raw.closed).toEqual({code: 4001, reason: 'events not answered in time'})
    expect(g.logs).toContain(
      'listener listen:mute did not answer its events within 0.5s; dropped (its events stay queued)',
    )
    for (const id of ids) expect((await deliveriesOf(g, id)).map((d) => d.status)).toEqual(['Scheduled'])

    const app = await startSink()
    expect((await listenInProcess(g, {target: app.url, name: 'mute'})).backlog).toBe(3)
    for (const id of ids) await succeeded(g, id)
    expect((await app.waitForRequests(3)).map((r) => JSON.parse(r.body.toString()).seq)).toEqual([0, 1, 2])
  })

  test('a frame above the gateway’s maxFrameBytes closes that stream (1009); nothing stored is lost', async () => {
    const g = await startGateway({stream: {maxFrameBytes: 4096}})
    const raw = await rawStream(g, 'big')
    await raw.waitForFrames((f) => f.some((x) => x.type === 'hello'), 'hello')
    const id = await sendWebhook(helloOf(raw).source.url, {seq: 0})
    await raw.waitForFrames((f) => f.some((x) => x.type === 'event'), 'the event')
    raw.ws.send(JSON.stringify({...resultFor(raw.events()[0]), error: 'x'.repeat(8192)}))
    expect((await raw.closed).code).toBe(1009)
    await waitFor(() => g.logs.some((l) => /^listener listen:big: Max payload size exceeded$/.test(l)), {
      what: () => `the gateway to log the oversized frame (logs: ${g.logs.join(' | ')})`,
    })
    const [delivery] = await deliveriesOf(g, id)
    expect(delivery.status).toBe('Scheduled')
    expect(await attemptsOf(g, delivery.uid)).toEqual([])

    const app = await startSink()
    expect((await listenInProcess(g, {target: app.url, name: 'big'})).backlog).toBe(1)
    await succeeded(g, id)
    expect((await app.waitForRequests(1)).map((r) => r.body.toString())).toEqual(['{"seq":0}'])
  })

  test('an event frame above the listener’s own limit: a clear message, backoff instead of a reconnect storm, the event kept', async () => {
    const g = await startGateway()
    const registered = await registerListener(g, {name: 'small', target: 'http://127.0.0.1:9/'})
    const client = new StreamClient({
      url: g.url.replace(/^http/, 'ws') + registered.stream_path,
      apiKey: g.key,
      maxFrameBytes: 2048,
    })
    const status: string[] = []
    let hellos = 0
    client.on('status', (line) => status.push(line))
    client.on('hello', () => hellos++)
    onTestFinished(() => client.close())
    client.start()
    await waitFor(() => hellos === 1, {what: 'hello'})
    const id = await sendWebhook(registered.source.url, {pad: 'x'.repeat(4096)})

    // Retries 0, 100 ms, then 1 s: when the 1 s delay is announced, only three connections were made.
    await waitFor(() => status.includes('reconnecting in 1s'), {
      what: () => `backoff (status: ${JSON.stringify(status)})`,
    })
    expect(hellos).toBe(3)
    expect(status).toContain(
      "the gateway sent a frame above this listener's limit of 2048 bytes; the event stays queued at the gateway",
    )
    client.close()

    const [delivery] = await deliveriesOf(g, id)
    expect(delivery.status).toBe('Scheduled')
    const raw = await rawStream(g, 'small')
    await raw.waitForFrames(() => raw.events().length === 1, 'the event at a listener with the default limit')
    raw.ws.send(JSON.stringify(resultFor(raw.events()[0])))
    await succeeded(g, id)
  })
})

describe('results that arrive together', () => {
  test('a retry and the final result in one burst are two attempts, counted as two', async () => {
    const g = await startGateway()
    const raw = await rawStream(g, 'burst')
    await raw.waitForFrames((f) => f.some((x) => x.type === 'hello'), 'hello')
    const id = await sendWebhook(helloOf(raw).source.url, {seq: 0})
    await raw.waitForFrames((f) => f.some((x) => x.type === 'event'), 'the event')
    const event = raw.events()[0]
    // Both frames in the same write: the gateway records them in one group commit.
    raw.ws.send(JSON.stringify({...resultFor(event, 503), final: false}))
    raw.ws.send(JSON.stringify(resultFor(event, 200)))
    const [delivery] = await succeeded(g, id)
    const recorded = await attemptsOf(g, delivery.uid)
    expect(recorded.map((a: {http_status: string}) => a.http_status)).toEqual(['503', '200'])
    expect(delivery.attempts ?? delivery.metadata?.num_trials).toBe(2)
  })
})
