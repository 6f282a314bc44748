import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

import {describe, expect, it, onTestFinished} from 'vitest'

import {CONVOY_API_VERSION, GatewayClient} from '../../src/client/gateway-client.js'
import {CaravanError} from '../../src/errors.js'
import {closedPort} from '../helpers/delivery.js'

interface Seen {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
}

/** A real HTTP server on port 0; closed (with its sockets) when the test ends. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const seen: Seen[] = []
  const sockets = new Set<Socket>()
  const server: Server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => (body += chunk))
    req.on('end', () => {
      seen.push({method: req.method!, url: req.url!, headers: req.headers, body})
      handler(req, res, body)
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen}
}

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, {'content-type': 'application/json'})
  res.end(JSON.stringify(value))
}

async function failure(promise: Promise<unknown>): Promise<CaravanError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(CaravanError)
    return error as CaravanError
  }
  throw new Error('expected the call to fail')
}

describe('GatewayClient', () => {
  it('sends Convoy-style requests and returns the envelope', async () => {
    const s = await serve((_req, res) => json(res, 201, {status: true, message: 'ok', data: {uid: 'e1'}}))
    const client = new GatewayClient(s.url, 'key-1')
    const envelope = await client.call('POST', '/api/v1/projects/p/events', {
      query: {perPage: 5, eventType: ['a.b', 'c.d'], skip: undefined, empty: ''},
      body: {event_type: 'a.b', data: {n: 1}},
    })
    expect(envelope).toEqual({status: true, message: 'ok', data: {uid: 'e1'}})
    const [r] = s.seen
    expect(r.method).toBe('POST')
    expect(r.url).toBe('/api/v1/projects/p/events?perPage=5&eventType=a.b&eventType=c.d')
    expect(r.headers.authorization).toBe('Bearer key-1')
    expect(r.headers['x-convoy-version']).toBe(CONVOY_API_VERSION)
    expect(r.headers['content-type']).toBe('application/json')
    expect(r.headers['user-agent']).toMatch(/^caravan-cli\/\d+\.\d+\.\d+/)
    expect(JSON.parse(r.body)).toEqual({event_type: 'a.b', data: {n: 1}})
    expect(await client.data('GET', '/x')).toEqual({uid: 'e1'})
    expect(s.seen[1].headers['content-type']).toBeUndefined()
  })

  it('maps refused keys, missing things and rejected input to their errors', async () => {
    const s = await serve((req, res) => {
      const status = Number(req.url!.slice(1))
      json(res, status, {status: false, message: `answer ${status}`})
    })
    const client = new GatewayClient(s.url, undefined)
    expect((await failure(client.call('GET', '/401'))).code).toBe('CARAVAN_ERR_UNAUTHORIZED')
    expect((await failure(client.call('GET', '/403'))).code).toBe('CARAVAN_ERR_UNAUTHORIZED')
    const missing = await failure(client.call('GET', '/404'))
    expect([missing.code, missing.message]).toEqual(['CARAVAN_ERR_NOT_FOUND', 'answer 404'])
    expect((await failure(client.call('GET', '/400'))).code).toBe('CARAVAN_ERR_BAD_REQUEST')
    const failed = await failure(client.call('GET', '/503'))
    expect([failed.code, failed.message]).toEqual(['CARAVAN_ERR_GATEWAY', 'the gateway failed (HTTP 503): answer 503'])
  })

  it('says so when the answer is not Convoy-style JSON', async () => {
    const s = await serve((_req, res) => res.end('<html>hello</html>'))
    const error = await failure(new GatewayClient(s.url, undefined).call('GET', '/api/v1/projects'))
    expect(error.code).toBe('CARAVAN_ERR_GATEWAY')
    expect(error.message).toBe(
      `${s.url} answered GET /api/v1/projects with HTTP 200 and no Convoy-style JSON: is it a Caravan or Convoy gateway?`,
    )
  })

  it('reports a gateway that is not listening as down, with the way to start it', async () => {
    const port = await closedPort()
    const error = await failure(new GatewayClient(`http://127.0.0.1:${port}`, undefined).call('GET', '/x'))
    expect(error.code).toBe('CARAVAN_ERR_GATEWAY_DOWN')
    expect(error.message).toBe(`the gateway at http://127.0.0.1:${port} is not reachable (ECONNREFUSED)`)
    expect(error.hint).toBe('start the local relay with: caravan server')
  })

  it('gives up on a gateway that accepts and never answers, or stalls mid-answer', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/stall') {
        res.writeHead(200, {'content-type': 'application/json'})
        res.write('{"status": tr')
      }
    })
    const client = new GatewayClient(s.url, undefined, 300)
    const silent = await failure(client.call('GET', '/silent'))
    expect([silent.code, silent.message]).toEqual([
      'CARAVAN_ERR_TIMEOUT',
      `the gateway at ${s.url} did not answer within 0.3s`,
    ])
    const stalled = await failure(client.call('GET', '/stall'))
    expect(stalled.code).toBe('CARAVAN_ERR_TIMEOUT')
  })

  it('health: /healthz means Caravan, /health alone means another Convoy server', async () => {
    const caravan = await serve((req, res) =>
      req.url === '/healthz'
        ? json(res, 200, {status: true, message: 'Caravan relay is healthy', data: {version: '9.9.9'}})
        : json(res, 404, {}),
    )
    expect(await new GatewayClient(caravan.url, undefined).health()).toMatchObject({
      ok: true,
      caravan: true,
      version: '9.9.9',
    })
    const convoy = await serve((req, res) =>
      req.url === '/health' ? json(res, 200, {status: true, message: 'ok'}) : json(res, 404, {}),
    )
    expect(await new GatewayClient(convoy.url, undefined).health()).toMatchObject({ok: true, caravan: false})
    expect(convoy.seen.map((r) => r.url)).toEqual(['/healthz', '/health'])
    const broken = await serve((_req, res) => json(res, 500, {}))
    expect(await new GatewayClient(broken.url, undefined).health()).toEqual({
      ok: false,
      caravan: false,
      error: 'HTTP 500 from /health',
    })
    // An app of the user's that answers /healthz is no relay (nor a Convoy server).
    const app = await serve((req, res) => (req.url === '/healthz' ? res.end('ok') : json(res, 404, {})))
    expect(await new GatewayClient(app.url, undefined).health()).toEqual({
      ok: false,
      caravan: false,
      error: "HTTP 200 from /healthz, but not a Caravan relay's answer",
      foreign: true,
    })
    const jsonApp = await serve((req, res) =>
      req.url === '/healthz' ? json(res, 200, {status: 'ok'}) : json(res, 404, {}),
    )
    expect((await new GatewayClient(jsonApp.url, undefined).health()).ok).toBe(false)
    const port = await closedPort()
    expect(await new GatewayClient(`http://127.0.0.1:${port}`, undefined).health()).toEqual({
      ok: false,
      caravan: false,
      error: 'ECONNREFUSED',
    })
  })
})
