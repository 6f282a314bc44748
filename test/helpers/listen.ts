import {type ChildProcess, spawn} from 'node:child_process'
import {createServer, type IncomingHttpHeaders, request, type Server} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

import {onTestFinished} from 'vitest'

import {assertBuilt, BIN, type CliResult, type Env, ROOT} from './cli.js'
import type {TestRelay} from './relay.js'

/**
 * Helpers for the inbound tests: raw ingest requests (exact bytes, repeated headers), a
 * real "app" server that can go down and come back on the same port, and a spawned
 * `caravan listen` driven like a user drives it.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- API JSON is read freely in tests */

// ---------------------------------------------------------------------------- raw ingest

export interface RawRequest {
  method?: string
  /** Appended to the URL as is: `/more/path?x=1`. */
  suffix?: string
  /** An array value is sent as that many separate header lines. */
  headers?: Record<string, string | string[]>
  body?: string | Buffer
  /** Send the body chunked (no content-length), so the limit is enforced while streaming. */
  chunked?: boolean
}

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json: any
}

/** One request with node:http, so the bytes and header lines sent are exactly the test's. */
export function rawRequest(url: string, opts: RawRequest = {}): Promise<RawResponse> {
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(opts.body)
  const headers: Record<string, string | string[]> = {...opts.headers}
  if (body && !opts.chunked && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length'))
    headers['content-length'] = String(body.length)
  return new Promise((resolve, reject) => {
    const req = request(url + (opts.suffix ?? ''), {method: opts.method ?? 'POST', headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: any
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({status: res.statusCode ?? 0, headers: res.headers, text, json})
      })
    })
    // The relay may answer 413 and close before reading everything we send.
    req.on('error', reject)
    if (body && opts.chunked) {
      const size = 64 * 1024
      for (let i = 0; i < body.length; i += size) req.write(body.subarray(i, i + size))
      req.end()
    } else {
      req.end(body)
    }
  })
}

// ---------------------------------------------------------------------------- relay API

async function call(t: TestRelay, method: string, path: string, body?: unknown): Promise<{status: number; json: any}> {
  const response = await fetch(t.url + path, {
    method,
    headers: {authorization: `Bearer ${t.key}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return {status: response.status, json: await response.json()}
}

/** Create a source over the API (provider fields are Caravan extensions of Convoy's body). */
export async function createSource(t: TestRelay, body: Record<string, unknown>): Promise<any> {
  const res = await call(t, 'POST', t.p('/sources'), {type: 'http', ...body})
  if (res.status !== 201) throw new Error(`create source → ${res.status}: ${JSON.stringify(res.json)}`)
  return res.json.data
}

export async function getEvent(t: TestRelay, id: string): Promise<any> {
  const res = await call(t, 'GET', t.p(`/events/${id}`))
  if (res.status !== 200) throw new Error(`get event ${id} → ${res.status}: ${JSON.stringify(res.json)}`)
  return res.json.data
}

/** A source's events, oldest first. */
export async function eventsOf(t: TestRelay, sourceId: string): Promise<any[]> {
  const res = await call(t, 'GET', t.p(`/events?sourceId=${sourceId}&perPage=100&sort=ASC`))
  if (res.status !== 200) throw new Error(`list events → ${res.status}: ${JSON.stringify(res.json)}`)
  return res.json.data.content
}

export async function deliveriesOfEvent(t: TestRelay, eventId: string): Promise<any[]> {
  const res = await call(t, 'GET', t.p(`/eventdeliveries?eventId=${eventId}&perPage=100`))
  if (res.status !== 200) throw new Error(`list deliveries → ${res.status}: ${JSON.stringify(res.json)}`)
  return res.json.data.content
}

/** The relay still answers health checks and ingest (after a bad request). */
export async function relayServes(t: TestRelay, ingestUrl: string): Promise<boolean> {
  const health = await fetch(`${t.url}/healthz`)
  const ok = await rawRequest(ingestUrl, {body: '{"still":"alive"}', headers: {'content-type': 'application/json'}})
  return health.status === 200 && ok.status < 500
}

// ---------------------------------------------------------------------------- the app

export interface AppRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  /** Header lines as received, names in their original casing. */
  rawHeaders: string[]
  body: Buffer
}

export type AppReply = {status?: number; body?: string; headers?: Record<string, string>}

export interface App {
  url: string
  port: number
  requests: AppRequest[]
  reply: (request: AppRequest) => AppReply
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<AppRequest[]>
  /** Stop listening (the app is "down"); `up()` brings it back on the same port. */
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

/** A developer's app: a real HTTP server that records every request, closed after the test. */
export async function startApp(reply: (request: AppRequest) => AppReply = () => ({})): Promise<App> {
  const requests: AppRequest[] = []
  let server: Server | undefined
  const sockets = new Set<Socket>()
  let port = 0
  const app: App = {
    url: '',
    port: 0,
    requests,
    reply,
    waitFor: async (count, timeoutMs = 8000) => {
      const deadline = Date.now() + timeoutMs
      while (requests.length < count) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${count} request(s) at the app (got ${requests.length})`)
        await sleep(15)
      }
      return requests.slice()
    },
    up: async () => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          const got: AppRequest = {
            method: req.method ?? '',
            url: req.url ?? '',
            headers: req.headers,
            rawHeaders: req.rawHeaders,
            body: Buffer.concat(chunks),
          }
          requests.push(got)
          const r = app.reply(got)
          res.writeHead(r.status ?? 200, {'content-type': 'text/plain', ...r.headers})
          res.end(r.body ?? 'ok')
        })
      })
      s.on('connection', (socket) => {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
      })
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(port, '127.0.0.1', () => resolve())
      })
      server = s
      port = (s.address() as AddressInfo).port
      app.port = port
      app.url = `http://127.0.0.1:${port}`
    },
    down: async () => {
      const s = server
      server = undefined
      if (!s) return
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    },
    close: () => app.down(),
  }
  await app.up()
  onTestFinished(() => app.close())
  return app
}

// ---------------------------------------------------------------------------- caravan listen

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string | (() => string),
  timeoutMs = 8000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`)
    await sleep(20)
  }
}

function childEnv(env: Env): NodeJS.ProcessEnv {
  const out: Env = {...process.env}
  for (const name of Object.keys(out)) {
    if (name.startsWith('CARAVAN_') || name.startsWith('OCLIF_') || name === 'FORCE_COLOR' || name === 'DEBUG')
      delete out[name]
  }
  Object.assign(out, {NO_COLOR: '1'}, env)
  if (!out.CARAVAN_CONFIG_DIR || !out.CARAVAN_DATA_DIR)
    throw new Error('listen needs CARAVAN_CONFIG_DIR and CARAVAN_DATA_DIR')
  for (const [name, value] of Object.entries(out)) if (value === undefined) delete out[name]
  return out as NodeJS.ProcessEnv
}

export interface ListenProcess {
  child: ChildProcess
  /** The ingest URL parsed from the Ready line. */
  ingestUrl: string
  /** The Ready line itself. */
  readyLine: string
  stdout(): string
  stderr(): string
  /** Complete stdout lines so far. */
  lines(): string[]
  /** Waits until stdout has `count` complete lines. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>
  /** Send `signal` (SIGINT by default) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<CliResult>
  exited: Promise<CliResult>
}

const READY = /^Ready! Forwarding (\S+) -> (\S+)/m

/**
 * Spawn `caravan listen <args>` and wait for its Ready line on stderr. Killed after the
 * test if it is still running.
 */
export function startListen(args: string[], env: Env, timeoutMs = 15_000): Promise<ListenProcess> {
  assertBuilt()
  const child = spawn(process.execPath, [BIN, 'listen', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stdout = ''
  let stderr = ''
  const exited = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({code, signal, stdout, stderr})),
  )
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const lines = () => stdout.split('\n').slice(0, -1)
  return new Promise((resolve, reject) => {
    let done = false
    const timer = setTimeout(
      () =>
        finish(new Error(`caravan listen was not ready within ${timeoutMs}ms\nstdout: ${stdout}\nstderr: ${stderr}`)),
      timeoutMs,
    )
    const finish = (error?: Error) => {
      if (done) return
      done = true
      clearTimeout(timer)
      if (error) {
        child.kill('SIGKILL')
        reject(error)
        return
      }
      const match = READY.exec(stderr)!
      resolve({
        child,
        ingestUrl: match[1],
        readyLine: match[0],
        stdout: () => stdout,
        stderr: () => stderr,
        lines,
        waitForLines: (count, ms = 8000) =>
          until(
            () => lines().length >= count && lines(),
            () => `${count} stdout line(s) from listen\nstdout: ${stdout}\nstderr: ${stderr}`,
            ms,
          ),
        stop: async (signal = 'SIGINT') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          const timer = setTimeout(() => child.kill('SIGKILL'), 8000)
          const result = await exited
          clearTimeout(timer)
          return result
        },
        exited,
      })
    }
    child.stderr!.on('data', () => READY.test(stderr) && finish())
    void exited.then((r) =>
      finish(
        new Error(`caravan listen exited with ${r.code} before it was ready\nstdout: ${stdout}\nstderr: ${stderr}`),
      ),
    )
  })
}
/* eslint-enable @typescript-eslint/no-explicit-any */
