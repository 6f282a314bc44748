import {createServer, type Server} from 'node:net'

import {readFileSync} from 'node:fs'

import {afterEach, describe, expect, it, onTestFinished} from 'vitest'

import {makeSandbox, startServerProcess} from '../helpers/cli.js'
import {startDeliveryRelay, waitFor} from '../helpers/delivery.js'

/** The most memory a process has had resident so far, in bytes (Linux: VmHWM). */
function peakRss(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

/** A raw TCP "endpoint" that answers each connection with whatever `respond` writes. */
async function rawTarget(respond: (socket: import('node:net').Socket) => void): Promise<string> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined)
    socket.once('data', () => respond(socket))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as {port: number}).port}/hook`
}

describe('hostile targets', () => {
  it('a garbage answer is a failed attempt with the reason, and is retried', async () => {
    const url = await rawTarget((s) => s.end('this is not http\r\n\r\n'))
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({url, http_timeout: 2})
    const id = await r.send(endpoint.uid, {a: 1})
    const delivery = await r.delivery(id, (d) => d.status === 'Retry')
    const [attempt] = await r.attempts(delivery.uid)
    expect(attempt.http_status).toBe('')
    expect(attempt.error).not.toBe('')
  })

  it('never-ending headers fail the attempt instead of growing memory', async () => {
    const url = await rawTarget((s) => {
      s.write('HTTP/1.1 200 OK\r\n')
      const timer = setInterval(() => {
        if (s.destroyed) return clearInterval(timer)
        s.write(`X-Junk: ${'x'.repeat(1000)}\r\n`)
      }, 1)
      s.on('close', () => clearInterval(timer))
    })
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({url, http_timeout: 2})
    const id = await r.send(endpoint.uid, {a: 1})
    const delivery = await r.delivery(id, (d) => d.status === 'Retry', 10_000)
    const [attempt] = await r.attempts(delivery.uid)
    expect(attempt.error).not.toBe('')
  })

  it(
    'a 300 MB answer is cut at 50 KB: the attempt succeeds and memory stays bounded (measured in the relay process)',
    {timeout: 30_000},
    async () => {
      const chunk = Buffer.alloc(1024 * 1024, 'a')
      const url = await rawTarget((s) => {
        s.write('HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 314572800\r\n\r\n')
        let sent = 0
        const pump = () => {
          while (sent < 300 && !s.destroyed) {
            sent++
            if (!s.write(chunk)) return s.once('drain', pump)
          }
          s.end()
        }
        pump()
      })
      // The relay runs in its own process, so its memory is not mixed with this test
      // process's (the target above, other tests' leftovers).
      const sandbox = makeSandbox('caravan-memory-')
      onTestFinished(() => sandbox.cleanup())
      const server = await startServerProcess(sandbox.env)
      onTestFinished(() => server.stop().then(() => undefined))
      const call = async (method: string, path: string, body: unknown) => {
        const res = await fetch(`${server.url}/api/v1/projects/${server.projectId}${path}`, {
          method,
          headers: {authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json'},
          body: body === undefined ? undefined : JSON.stringify(body),
        })
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API JSON is read freely in tests
        const json = (await res.json()) as {data: any}
        if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(json)}`)
        return json.data
      }
      const endpoint = await call('POST', '/endpoints', {name: 'big', url, http_timeout: 20})
      await call('POST', '/subscriptions', {name: 'all', endpoint_id: endpoint.uid})
      const before = peakRss(server.pid)
      const event = await call('POST', '/events', {endpoint_id: endpoint.uid, event_type: 'x', data: {a: 1}})
      const delivery = await waitFor(
        async () => {
          const [d] = (await call('GET', `/eventdeliveries?eventId=${event.uid}`, undefined)).content
          return d?.status === 'Success' && d
        },
        {timeoutMs: 20_000, what: 'the delivery to the 300 MB target'},
      )
      const [attempt] = await call('GET', `/eventdeliveries/${delivery.uid}/deliveryattempts`, undefined)
      expect(attempt.response_data.length).toBe(50 * 1024)
      // The relay stopped reading after 50 KB: its peak memory never grew by anything near 300 MB.
      expect(peakRss(server.pid) - before).toBeLessThan(100 * 1024 * 1024)
    },
  )
})
