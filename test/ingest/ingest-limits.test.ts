import {request, type ClientRequest, type IncomingMessage} from 'node:http'
import {connect} from 'node:net'

import {describe, expect, it, onTestFinished} from 'vitest'

import {createSource, rawRequest, relayServes} from '../helpers/listen.js'
import {useRelay} from '../helpers/relay.js'

/**
 * Issue 10 item 11: what unauthenticated ingest traffic may hold is bounded: in-progress
 * bodies and buffered bytes per source (429) and in total (503), both with Retry-After; a
 * stalled body is answered 408 long before Node's 300 s; an oversized body gets a 413 that
 * the sender (Node's fetch) can actually read instead of a reset mid-upload.
 */

type Slow = {req: ClientRequest; response: Promise<IncomingMessage & {text: string}>}

/** Declares `declared` bytes, sends `sent` of them and stalls. */
function slowRequest(url: string, declared: number, sent: number, headers: Record<string, string> = {}): Slow {
  const req = request(url, {method: 'POST', headers: {'content-length': String(declared), ...headers}, agent: false})
  const response = new Promise<IncomingMessage & {text: string}>((resolve, reject) => {
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (text += c))
      res.on('end', () => resolve(Object.assign(res, {text})))
      res.on('error', () => resolve(Object.assign(res, {text})))
    })
    req.on('error', reject)
  })
  response.catch(() => undefined)
  req.write(Buffer.alloc(sent, 'a'))
  onTestFinished(() => void req.destroy())
  return {req, response}
}

// Lets the relay read a slow sender's headers (admission happens there); never asserted on.
const settle = () => new Promise((resolve) => setTimeout(resolve, 100))

describe('ingest bounds', () => {
  it("answers 413 from content-length before reading, and Node's fetch sees it (declared and chunked)", async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'small', body_limit: 1024})
    const big = Buffer.alloc(12 * 1024 * 1024, 'x')
    for (let i = 0; i < 5; i++) {
      const res = await fetch(source.url, {method: 'POST', body: big, headers: {'content-type': 'text/plain'}})
      expect(res.status).toBe(413)
      expect(await res.json()).toEqual({
        status: false,
        message: `request body is ${big.length} bytes, above the limit of 1024 bytes`,
      })
    }
    // Without a content-length the limit is found while reading; the answer still arrives.
    const chunks = Array.from({length: 32}, () => new Uint8Array(64 * 1024))
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift()
        if (next) controller.enqueue(next)
        else controller.close()
      },
    })
    const chunked = await fetch(source.url, {method: 'POST', body: stream, duplex: 'half'} as RequestInit)
    expect(chunked.status).toBe(413)
    expect(((await chunked.json()) as {message: string}).message).toBe('request body is above the limit of 1024 bytes')
    expect(await t.relay.db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0)
    expect(await relayServes(t, source.url)).toBe(true)
  })

  it('keeps reading (and dropping) the rest of the upload after a 413, then closes cleanly; past the drain bound it cuts', async () => {
    const t = await useRelay({ingest: {drainBytes: 1024 * 1024}})
    const source = await createSource(t, {name: 'small', body_limit: 1024})
    const {host, pathname} = new URL(source.url)
    const upload = (declared: number) => {
      const socket = connect(Number(host.split(':')[1]), '127.0.0.1')
      onTestFinished(() => void socket.destroy())
      let received = ''
      const events: string[] = []
      socket.setEncoding('utf8')
      socket.on('data', (text: string) => (received += text))
      socket.on('error', (error: NodeJS.ErrnoException) => events.push(error.code ?? 'error'))
      socket.on('end', () => events.push('end'))
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
      socket.write(`POST ${pathname} HTTP/1.1\r\nhost: ${host}\r\ncontent-length: ${declared}\r\n\r\n`)
      return {socket, closed, events, received: () => received}
    }
    const writeAll = async (socket: ReturnType<typeof connect>, bytes: number) => {
      const chunk = Buffer.alloc(64 * 1024, 'z')
      for (let sent = 0; sent < bytes && !socket.destroyed; sent += chunk.length)
        await new Promise<void>((resolve) =>
          socket.write(chunk.subarray(0, Math.min(chunk.length, bytes - sent)), () => resolve()),
        )
    }

    // The answer comes before any body byte is sent ...
    const within = upload(768 * 1024)
    await new Promise<void>((resolve) => within.socket.once('data', () => resolve()))
    expect(within.received()).toMatch(/^HTTP\/1\.1 413 /)
    expect(within.received()).toMatch(/\r\nconnection: close\r\n/i)
    // ... and the sender can still send all it declared without a broken pipe; then a clean close.
    await writeAll(within.socket, 768 * 1024)
    await within.closed
    expect(within.events).toEqual(['end'])

    // A sender that keeps going past the drain bound is cut off: the relay never reads without end.
    const beyond = upload(64 * 1024 * 1024)
    await writeAll(beyond.socket, 64 * 1024 * 1024)
    await beyond.closed
    expect(beyond.received()).toMatch(/^HTTP\/1\.1 413 /)
    expect(beyond.events).not.toEqual(['end'])
    expect(await relayServes(t, source.url)).toBe(true)
  })

  it('bounds in-progress bodies per source (429) and in total (503) with Retry-After, and frees them', async () => {
    const t = await useRelay({ingest: {maxBodiesPerSource: 2, maxBodies: 3, retryAfterSeconds: 7}})
    const a = await createSource(t, {name: 'a'})
    const b = await createSource(t, {name: 'b'})
    const slow = [slowRequest(a.url, 1000, 10), slowRequest(a.url, 1000, 10)]
    await settle()
    const third = await rawRequest(a.url, {body: 'x'})
    expect(third.status).toBe(429)
    expect(third.headers['retry-after']).toBe('7')
    expect(third.json.message).toBe('too many requests in progress for this source (2)')
    // Another source still has room, until the relay's total is reached.
    slow.push(slowRequest(b.url, 1000, 10))
    await settle()
    const fourth = await rawRequest(b.url, {body: 'x'})
    expect(fourth.status).toBe(503)
    expect(fourth.headers['retry-after']).toBe('7')
    expect(fourth.json.message).toBe('the relay is receiving too many requests (3)')
    // Senders that finish (or go away) give their share back.
    slow[0].req.end(Buffer.alloc(990, 'a'))
    expect((await slow[0].response).statusCode).toBe(200)
    for (const s of slow.slice(1)) s.req.destroy()
    await settle()
    expect((await rawRequest(a.url, {body: 'x'})).status).toBe(200)
    expect((await rawRequest(b.url, {body: 'x'})).status).toBe(200)
  })

  it('bounds buffered bytes per source and in total, counting a declared length up front', async () => {
    const t = await useRelay({ingest: {maxBufferedBytesPerSource: 64 * 1024, maxBufferedBytes: 96 * 1024}})
    const a = await createSource(t, {name: 'a'})
    const b = await createSource(t, {name: 'b'})
    const perSource = await fetch(a.url, {method: 'POST', body: Buffer.alloc(65 * 1024)})
    expect(perSource.status).toBe(429)
    expect(perSource.headers.get('retry-after')).toBe('5')
    const held = slowRequest(a.url, 60 * 1024, 10)
    await settle()
    const total = await fetch(b.url, {method: 'POST', body: Buffer.alloc(40 * 1024)})
    expect(total.status).toBe(503)
    expect(((await total.json()) as {message: string}).message).toBe('the relay is receiving too many request bytes')
    held.req.destroy()
    await settle()
    expect((await fetch(b.url, {method: 'POST', body: Buffer.alloc(40 * 1024)})).status).toBe(200)
  })

  it('answers 408 to a body that stalls, and to one that takes too long overall', async () => {
    const t = await useRelay({ingest: {idleTimeoutMs: 150, bodyTimeoutMs: 600}})
    const source = await createSource(t, {name: 'slow'})
    const stalled = slowRequest(source.url, 1000, 10)
    const res = await stalled.response
    expect(res.statusCode).toBe(408)
    expect(JSON.parse(res.text).message).toBe('request body stalled for 0.15 s; send the body within 0.6 s')
    // A trickle that never stalls for long still hits the total deadline.
    const trickle = slowRequest(source.url, 1000, 1)
    const timer = setInterval(() => trickle.req.write('a'), 50)
    onTestFinished(() => clearInterval(timer))
    const slowRes = await trickle.response
    clearInterval(timer)
    expect(slowRes.statusCode).toBe(408)
    expect(JSON.parse(slowRes.text).message).toBe('request body took too long; send the body within 0.6 s')
    expect(await t.relay.db.prepare('SELECT COUNT(*) FROM events').pluck().get()).toBe(0)
    expect(await relayServes(t, source.url)).toBe(true)
  })
})

describe('connection bound', () => {
  it('closes connections above maxConnections on arrival and keeps serving the rest', async () => {
    const t = await useRelay({maxConnections: 4})
    const {port} = new URL(t.url)
    const open = async () => {
      const socket = connect(Number(port), '127.0.0.1')
      onTestFinished(() => void socket.destroy())
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject))
      return socket
    }
    // Four idle connections (say, clients that never send a request) take every slot.
    const idle = [await open(), await open(), await open(), await open()]
    const extra = await open()
    const closed = await new Promise<boolean>((resolve) => {
      extra.once('close', () => resolve(true))
      setTimeout(() => resolve(false), 5000)
    })
    expect(closed).toBe(true)
    // Freed slots serve again.
    for (const socket of idle) socket.destroy()
    const healthy = await (async () => {
      for (let i = 0; i < 50; i++) {
        const res = await fetch(`${t.url}/healthz`).catch(() => undefined)
        if (res?.status === 200) return true
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return false
    })()
    expect(healthy).toBe(true)
  })
})
