import {randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {onTestFinished} from 'vitest'

import {startRelay, type Relay, type RelayOptions} from '../../src/relay/relay.js'
import {getProject, updateProject} from '../../src/store/projects.js'
import type {ProjectConfig} from '../../src/store/types.js'

/**
 * Delivery tests run a real relay (port 0, temp data dir) against real "sink" servers that
 * record exactly what arrived and answer as each test programs them. Everything started
 * here is stopped when the current test finishes, pass or fail.
 */

// ---------------------------------------------------------------------------- sinks

export interface SinkRequest {
  /** 0-based arrival order. */
  index: number
  method: string
  url: string
  headers: IncomingHttpHeaders
  /** The body bytes exactly as they arrived. */
  body: Buffer
  /** Date.now() when the request (headers) arrived. */
  at: number
  /** Date.now() when the response was finished (undefined while pending or if it never answered). */
  respondedAt?: number
}

export interface SinkReply {
  status?: number
  headers?: Record<string, string>
  body?: string | Buffer
  /** Answer after this many ms. */
  delayMs?: number
  /** Never answer (until the sink closes). */
  hang?: boolean
  /** Answer once this settles (then after delayMs). */
  until?: Promise<unknown>
  /** Shorthand for a 302 with this Location. */
  redirect?: string
}

export type SinkHandler = (request: SinkRequest) => SinkReply | undefined | void

export interface Sink {
  url: string
  port: number
  requests: SinkRequest[]
  /** Change how the sink answers from now on. */
  handle(handler: SinkHandler): void
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number, timeoutMs?: number): Promise<SinkRequest[]>
  close(): Promise<void>
}

/** Replies in order: the i-th request gets replies[i]; later ones get `then` (200 by default). */
export function inOrder(replies: SinkReply[], then: SinkReply = {status: 200}): SinkHandler {
  return (request) => replies[request.index] ?? then
}

/** A sink on loopback: on `port` when given (e.g. one a test saw refused first), else any free port. */
export async function startSink(handler: SinkHandler = () => undefined, port = 0): Promise<Sink> {
  const requests: SinkRequest[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let current = handler
  const server: Server = createServer((req, res) => {
    const request: SinkRequest = {
      index: requests.length,
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.alloc(0),
      at: Date.now(),
    }
    requests.push(request)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      request.body = Buffer.concat(chunks)
      const reply = current(request) ?? {}
      if (reply.hang) return
      const answer = () => {
        timers.delete(timer)
        if (res.destroyed) return
        const headers = {...reply.headers}
        let status = reply.status ?? 200
        if (reply.redirect) {
          status = reply.status ?? 302
          headers.location = reply.redirect
        }
        res.writeHead(status, {'content-type': 'text/plain', ...headers})
        res.end(reply.body ?? `ok ${request.index}`, () => (request.respondedAt = Date.now()))
      }
      let timer: NodeJS.Timeout
      const schedule = () => {
        if (closing) return
        timer = setTimeout(answer, reply.delayMs ?? 0)
        timers.add(timer)
      }
      if (reply.until) void reply.until.finally(schedule)
      else schedule()
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const bound = (server.address() as AddressInfo).port

  let closing: Promise<void> | undefined
  const sink: Sink = {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    requests,
    handle: (next) => (current = next),
    waitForRequests: (count, timeoutMs = 5000) =>
      waitFor(() => (requests.length >= count ? requests.slice() : undefined), {
        timeoutMs,
        what: () => `${count} request(s) at the sink (got ${requests.length})`,
      }),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })),
  }
  onTestFinished(() => sink.close())
  return sink
}

/** A port with nothing listening on it (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

// ---------------------------------------------------------------------------- polling

/** Poll `probe` until it returns something other than undefined/false. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  opts: {timeoutMs?: number; intervalMs?: number; what?: string | (() => string)} = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000)
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) {
      const what = typeof opts.what === 'function' ? opts.what() : opts.what
      throw new Error(`timed out waiting for ${what ?? 'condition'}`)
    }
    await new Promise((resolve) => setTimeout(resolve, opts.intervalMs ?? 15))
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// ---------------------------------------------------------------------------- clock

/**
 * The relay's delivery clock in tests: real time plus an offset that only grows, so a
 * retry falls due when the test moves the clock to it instead of after a real wait, and
 * everything else (timestamps the API writes, sockets) keeps running on real time.
 */
export interface TestClock {
  now(): number
  /** Move the clock forward by `ms`. */
  advance(ms: number): void
}

export function testClock(): TestClock {
  let offset = 0
  return {
    now: () => Date.now() + offset,
    advance(ms) {
      if (ms < 0) throw new Error(`a clock only moves forward (asked to move ${ms} ms)`)
      offset += ms
    },
  }
}

// ---------------------------------------------------------------------------- relay

/* eslint-disable @typescript-eslint/no-explicit-any -- API JSON is read freely in tests */
export interface ApiResult {
  status: number
  json: any
}

export interface DeliveryJson {
  uid: string
  event_id: string
  endpoint_id: string
  status: string
  description: string
  metadata: {num_trials: number; retry_limit: number; next_send_time: string}
  [key: string]: any
}

export interface AttemptJson {
  uid: string
  url: string
  request_http_header: Record<string, string> | null
  response_http_header: Record<string, string> | null
  http_status: string
  response_data: string
  error: string
  status: boolean
  latency_ms: number | null
  created_at: string
  [key: string]: any
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface DeliveryRelay {
  relay: Relay
  dataDir: string
  key: string
  projectId: string
  api(method: string, path: string, body?: unknown): Promise<ApiResult>
  /** Like api() but throws unless the answer is 2xx; returns `data`. */
  ok(method: string, path: string, body?: unknown): Promise<any> // eslint-disable-line @typescript-eslint/no-explicit-any
  /** `/api/v1/projects/<pid>` + suffix. */
  p(suffix?: string): string
  /** Endpoint + a catch-all subscription to it; returns the endpoint JSON. */
  endpoint(body: Record<string, unknown>): Promise<any> // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Broadcast an event; returns its id. */
  broadcast(data: unknown, eventType?: string): Promise<string>
  /** An event for one endpoint (Convoy's create-event route); returns its id. */
  send(endpointId: string, data: unknown, eventType?: string): Promise<string>
  deliveriesOf(eventId: string): Promise<DeliveryJson[]>
  /** The one delivery of an event, once `done` says so (default: a final status). */
  delivery(eventId: string, done?: (d: DeliveryJson) => boolean, timeoutMs?: number): Promise<DeliveryJson>
  attempts(deliveryId: string): Promise<AttemptJson[]>
  /** PUT the project's config over the API (what a user does). */
  configure(config: Record<string, unknown>): Promise<void>
  /**
   * Change the stored project config directly: only to stand for a store written by another
   * build or by hand, with a value the API refuses. What a user can configure goes through
   * configure(), and time through the clock, never through this.
   */
  patchConfig(patch: (config: ProjectConfig) => void): void
  /** The dispatcher's clock (see testClock). */
  clock: TestClock
  /** Move the dispatcher's clock forward and have it look at the queue. */
  advance(ms: number): void
  /**
   * The one delivery of an event once `done` (default: a final status), moving the clock
   * to each retry's next_send_time as soon as it is scheduled instead of waiting for it.
   */
  onSchedule(eventId: string, done?: (d: DeliveryJson) => boolean, timeoutMs?: number): Promise<DeliveryJson>
  stop(graceMs?: number): Promise<void>
}

export const FINAL_STATUSES = ['Success', 'Failure', 'Discarded']
export const isFinal = (d: DeliveryJson) => FINAL_STATUSES.includes(d.status)

/**
 * Start a relay on port 0. Without `dataDir` it gets a fresh temp dir, removed after the
 * test; with one (a restart) the dir is left to whoever made it.
 */
export async function startDeliveryRelay(
  opts: Omit<RelayOptions, 'port' | 'now'> & {clock?: TestClock} = {},
): Promise<DeliveryRelay> {
  const dataDir = opts.dataDir ?? (await tempDir())
  const key = opts.apiKey ?? `test-admin-${randomBytes(8).toString('hex')}`
  const clock = opts.clock ?? testClock()
  const relay = await startRelay({...opts, port: 0, dataDir, apiKey: key, now: clock.now})
  const projectId = relay.defaultProjectId
  const p = (suffix = '') => `/api/v1/projects/${projectId}${suffix}`

  const api = async (method: string, path: string, body?: unknown): Promise<ApiResult> => {
    const headers: Record<string, string> = {authorization: `Bearer ${key}`}
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(relay.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
    const text = await response.text()
    return {status: response.status, json: text ? JSON.parse(text) : undefined}
  }
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await api(method, path, body)
    if (res.status < 200 || res.status >= 300)
      throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(res.json)}`)
    return res.json.data
  }
  const deliveriesOf = async (eventId: string): Promise<DeliveryJson[]> =>
    (await ok('GET', p(`/eventdeliveries?eventId=${eventId}&perPage=100`))).content
  const advance = (ms: number) => {
    clock.advance(ms)
    relay.dispatcher?.wake()
  }
  const delivery = async (eventId: string, done = isFinal, timeoutMs = 5000, onRetry?: (d: DeliveryJson) => void) => {
    let last: DeliveryJson | undefined
    return waitFor(
      async () => {
        const list = await deliveriesOf(eventId)
        if (list.length > 1) throw new Error(`event ${eventId} has ${list.length} deliveries, expected one`)
        last = list[0]
        if (last && done(last)) return last
        if (last?.status === 'Retry') onRetry?.(last)
        return undefined
      },
      {
        timeoutMs,
        what: () =>
          `delivery of event ${eventId} (last seen: ${last ? `${last.status} "${last.description}"` : 'none'})`,
      },
    )
  }

  const handle: DeliveryRelay = {
    relay,
    dataDir,
    key,
    projectId,
    api,
    ok,
    p,
    async endpoint(body) {
      const endpoint = await ok('POST', p('/endpoints'), {name: `ep-${randomBytes(3).toString('hex')}`, ...body})
      await ok('POST', p('/subscriptions'), {name: `sub-${endpoint.uid}`, endpoint_id: endpoint.uid})
      return endpoint
    },
    async broadcast(data, eventType = 'test.event') {
      const event = await ok('POST', p('/events/broadcast'), {event_type: eventType, data})
      return event.uid as string
    },
    async send(endpointId, data, eventType = 'test.event') {
      const event = await ok('POST', p('/events'), {endpoint_id: endpointId, event_type: eventType, data})
      return event.uid as string
    },
    deliveriesOf,
    delivery: (eventId, done, timeoutMs) => delivery(eventId, done, timeoutMs),
    onSchedule: (eventId, done, timeoutMs) =>
      delivery(eventId, done, timeoutMs, (d) => {
        const wait = Date.parse(d.metadata.next_send_time) - clock.now()
        if (wait > 0) advance(wait)
      }),
    async attempts(deliveryId) {
      const list: AttemptJson[] = await ok('GET', p(`/eventdeliveries/${deliveryId}/deliveryattempts`))
      return list.sort((a, b) => a.uid.localeCompare(b.uid))
    },
    async configure(config) {
      await ok('PUT', p(), {config})
    },
    patchConfig(patch) {
      const project = getProject(relay.db, projectId)
      if (!project) throw new Error(`project ${projectId} is gone`)
      patch(project.config)
      updateProject(relay.db, project)
    },
    clock,
    advance,
    stop: (graceMs = 200) => relay.stop({graceMs}),
  }
  // Hooks run in reverse order, so this stop comes before tempDir()'s removal.
  onTestFinished(() => relay.stop({graceMs: 200}))
  return handle
}

/** A temp dir removed when the test finishes. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'caravan-delivery-'))
  onTestFinished(() => rm(dir, {recursive: true, force: true}))
  return dir
}
