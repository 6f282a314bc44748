import {createServer, type Server} from 'node:net'

import {afterEach, describe, expect, it} from 'vitest'

import {startDeliveryRelay} from '../helpers/delivery.js'

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

  it('a 300 MB answer is cut at 50 KB: the attempt succeeds and memory stays bounded', {timeout: 30_000}, async () => {
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
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({url, http_timeout: 20})
    const before = process.memoryUsage().rss
    const id = await r.send(endpoint.uid, {a: 1})
    const delivery = await r.delivery(id, undefined, 20_000)
    expect(delivery.status).toBe('Success')
    const [attempt] = await r.attempts(delivery.uid)
    expect(attempt.response_data.length).toBe(50 * 1024)
    // The relay stopped reading after 50 KB: nowhere near 300 MB was buffered.
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024)
  })
})
