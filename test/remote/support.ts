import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {connect, createServer, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {onTestFinished} from 'vitest'
import WebSocket from 'ws'

import {startRelay, type Relay, type RelayOptions} from '../../src/relay/relay.js'
import {assertBuilt, BIN, type CliResult, type Env, makeSandbox, ROOT, type Sandbox} from '../helpers/cli.js'
import {waitFor} from '../helpers/delivery.js'

export {listenInProcess} from '../helpers/listen-in-process.js'

/**
 * The remote path of `caravan listen`: a gateway (a `caravan server` process or an
 * in-process relay) and listeners that reach it only over HTTP/WebSocket, each with its
 * own config and data dirs, as a laptop talking to a public relay would.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- API JSON is read freely in tests */

export interface Gateway {
  url: string
  key: string
  projectId: string
}

// ---------------------------------------------------------------------------- gateway

export interface InProcessGateway extends Gateway {
  relay: Relay
  dataDir: string
  port: number
  /** What the relay logged (stream drops, bad frames). */
  logs: string[]
  /** Stop the relay (the store stays). */
  stop(): Promise<void>
  /** Start it again on the same port with the same store and key. */
  start(): Promise<void>
}

export type GatewayOptions = Omit<RelayOptions, 'port' | 'dataDir' | 'apiKey' | 'log'>

/** A relay in this process on port 0 with a temp store, stopped and removed after the test. */
export async function startGateway(options: GatewayOptions = {}): Promise<InProcessGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'caravan-remote-'))
  const key = `remote-key-${randomBytes(8).toString('hex')}`
  const logs: string[] = []
  const boot = (port: number) => startRelay({...options, port, dataDir, apiKey: key, log: (line) => logs.push(line)})
  const relay = await boot(0)
  let running = true
  const g: InProcessGateway = {
    relay,
    url: relay.url,
    key,
    projectId: relay.defaultProjectId,
    dataDir,
    port: relay.port,
    logs,
    async stop() {
      if (!running) return
      running = false
      await g.relay.stop({graceMs: 200})
    },
    async start() {
      g.relay = await boot(g.port)
      running = true
    },
  }
  onTestFinished(async () => {
    await g.stop()
    await rm(dataDir, {recursive: true, force: true})
  })
  return g
}

// ---------------------------------------------------------------------------- network trouble

export interface Proxy {
  url: string
  /** Open links go silent: bytes vanish both ways and nothing is closed (no FIN, no RST). */
  freeze(): void
  /** Close every open link (both sides see the connection end). */
  drop(): void
  /** While true, new connections are accepted and closed at once (the gateway is unreachable). */
  refuse(on: boolean): void
}

/** A TCP proxy in front of a gateway port, to cut, freeze or refuse the listener's links. */
export async function startProxy(targetPort: number): Promise<Proxy> {
  const pairs = new Set<{frozen: boolean; down: Socket; up: Socket}>()
  let refusing = false
  const server = createServer((down) => {
    down.on('error', () => undefined)
    if (refusing) {
      down.destroy()
      return
    }
    const up = connect(targetPort, '127.0.0.1')
    const pair = {frozen: false, down, up}
    pairs.add(pair)
    down.on('data', (chunk) => pair.frozen || up.write(chunk))
    up.on('data', (chunk) => pair.frozen || down.write(chunk))
    // A frozen link passes on no close either: that is the point.
    const end = () => {
      pairs.delete(pair)
      if (!pair.frozen) {
        down.destroy()
        up.destroy()
      }
    }
    down.on('close', end)
    up.on('close', end)
    up.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) {
          pair.down.destroy()
          pair.up.destroy()
        }
        server.close(() => resolve())
      }),
  )
  return {
    url: `http://127.0.0.1:${(server.address() as {port: number}).port}`,
    freeze: () => {
      for (const pair of pairs) pair.frozen = true
    },
    drop: () => {
      for (const pair of pairs) {
        pair.down.destroy()
        pair.up.destroy()
      }
    },
    refuse: (on) => (refusing = on),
  }
}

// ---------------------------------------------------------------------------- API

export async function api(
  g: Gateway,
  method: string,
  path: string,
  body?: unknown,
): Promise<{status: number; json: any}> {
  const headers: Record<string, string> = {authorization: `Bearer ${g.key}`}
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(g.url + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await response.text()
  return {status: response.status, json: text ? JSON.parse(text) : undefined}
}

export async function ok(g: Gateway, method: string, path: string, body?: unknown): Promise<any> {
  const res = await api(g, method, path, body)
  if (res.status < 200 || res.status >= 300)
    throw new Error(`${method} ${path} → ${res.status}: ${JSON.stringify(res.json)}`)
  return res.json.data
}

export const projectPath = (g: Gateway, suffix = '') => `/api/v1/projects/${g.projectId}${suffix}`

/** Listeners connected to the gateway right now (GET .../listeners). */
export async function connectedListeners(g: Gateway): Promise<any[]> {
  return ok(g, 'GET', projectPath(g, '/listeners'))
}

export async function deliveriesOf(g: Gateway, eventId: string): Promise<any[]> {
  return (await ok(g, 'GET', projectPath(g, `/eventdeliveries?eventId=${eventId}&perPage=100`))).content
}

export async function attemptsOf(g: Gateway, deliveryId: string): Promise<any[]> {
  const list: any[] = await ok(g, 'GET', projectPath(g, `/eventdeliveries/${deliveryId}/deliveryattempts`))
  return list.sort((a, b) => a.uid.localeCompare(b.uid))
}

/** Wait until the event has `count` deliveries, all `Success`; returns them. */
export async function succeeded(g: Gateway, eventId: string, count = 1, timeoutMs = 10_000): Promise<any[]> {
  let last: any[] = []
  return waitFor(
    async () => {
      last = await deliveriesOf(g, eventId)
      return last.length === count && last.every((d) => d.status === 'Success') && last
    },
    {
      timeoutMs,
      what: () =>
        `${count} successful deliveries of ${eventId} (have: ${last.map((d) => `${d.status} "${d.description}"`).join(', ') || 'none'})`,
    },
  )
}

/** Register a listener over the API, as `caravan listen` does, without opening its stream. */
export async function registerListener(
  g: Gateway,
  body: {name: string; source?: string; target: string},
): Promise<{listener_id: string; stream_path: string; source: {url: string}}> {
  return ok(g, 'POST', projectPath(g, '/listeners'), {source: 'remote', ...body})
}

/** The ingest URL a provider would be given, reached at the gateway's real address. */
export function reachable(g: Gateway, ingestUrl: string): string {
  const url = new URL(ingestUrl)
  return g.url + url.pathname
}

/** POST a webhook to an ingest URL; returns the stored event's id. */
export async function sendWebhook(ingestUrl: string, body: unknown, suffix = ''): Promise<string> {
  const response = await fetch(ingestUrl + suffix, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`ingest → ${response.status}: ${text}`)
  return response.headers.get('x-caravan-event-id')!
}

// ---------------------------------------------------------------------------- caravan listen

export interface ListenLine {
  event_id: string
  delivery_id: string
  status: number | null
  target: string
  attempt: number
  retrying: boolean
  error: string | null
}

export interface ListenerProcess {
  child: ChildProcess
  sandbox: Sandbox
  pid: number
  stdout(): string
  stderr(): string
  /** The NDJSON attempt lines printed so far (`listen --json`). */
  lines(): ListenLine[]
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>
  waitForLines(count: number, timeoutMs?: number): Promise<ListenLine[]>
  running(): boolean
  exited: Promise<CliResult>
}

export interface ReadyListener extends ListenerProcess {
  /** The ingest URL from the Ready line (the gateway's public URL). */
  ingestUrl: string
  readyLine: string
}

function childEnv(sandbox: Sandbox, extra: Env = {}): NodeJS.ProcessEnv {
  const env: Env = {...process.env}
  for (const name of Object.keys(env)) {
    if (name.startsWith('CARAVAN_') || name.startsWith('OCLIF_') || name === 'FORCE_COLOR' || name === 'DEBUG')
      delete env[name]
  }
  Object.assign(env, {NO_COLOR: '1'}, sandbox.env, extra)
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  return env as NodeJS.ProcessEnv
}

/**
 * Spawn `caravan listen --gateway <g> --api-key <key> --project <id> --json <args>` with
 * its own config/data dirs (a fresh sandbox unless one is given, e.g. to restart "the same
 * laptop"). Killed after the test.
 */
export function launchListen(
  g: Gateway,
  args: string[],
  opts: {sandbox?: Sandbox; key?: string; project?: string} = {},
): ListenerProcess {
  assertBuilt()
  let sandbox = opts.sandbox
  if (!sandbox) {
    const fresh = makeSandbox('caravan-laptop-')
    onTestFinished(() => fresh.cleanup())
    sandbox = fresh
  }
  const argv = [
    BIN,
    'listen',
    '--gateway',
    g.url,
    '--api-key',
    opts.key ?? g.key,
    '--project',
    opts.project ?? g.projectId,
    '--json',
    ...args,
  ]
  const child = spawn(process.execPath, argv, {cwd: ROOT, env: childEnv(sandbox), stdio: ['ignore', 'pipe', 'pipe']})
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c))
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c))
  const exited = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => resolve({code, signal, stdout, stderr})),
  )
  const running = () => child.exitCode === null && child.signalCode === null
  onTestFinished(async () => {
    if (running()) child.kill('SIGKILL')
    await exited
  })
  const lines = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as ListenLine)
  const describe = () => `\nstdout: ${stdout}\nstderr: ${stderr}`
  return {
    child,
    sandbox,
    pid: child.pid!,
    stdout: () => stdout,
    stderr: () => stderr,
    lines,
    running,
    exited,
    waitForStderr: async (pattern, timeoutMs = 10_000) => {
      await waitFor(
        () => {
          if (pattern.test(stderr)) return true
          if (!running()) throw new Error(`listen exited before its stderr matched ${pattern}${describe()}`)
          return false
        },
        {timeoutMs, what: () => `${pattern} on the stderr of listen${describe()}`},
      )
    },
    waitForLines: (count, timeoutMs = 10_000) =>
      waitFor(() => lines().length >= count && lines(), {
        timeoutMs,
        what: () => `${count} attempt line(s) from listen${describe()}`,
      }),
  }
}

const READY = /^Ready! Forwarding (\S+) -> (\S+)/m

/** launchListen, then wait for the Ready line on stderr. */
export async function startListen(g: Gateway, args: string[], opts: {sandbox?: Sandbox} = {}): Promise<ReadyListener> {
  const listener = launchListen(g, args, opts)
  await listener.waitForStderr(READY, 20_000)
  const match = READY.exec(listener.stderr())!
  return {...listener, ingestUrl: match[1], readyLine: match[0]}
}

// ---------------------------------------------------------------------------- raw stream client

export interface RawFrame {
  type: string
  [key: string]: any
}

export interface RawStream {
  ws: WebSocket
  frames: RawFrame[]
  listenerId: string
  opened: Promise<void>
  closed: Promise<{code: number; reason: string}>
  waitForFrames(predicate: (frames: RawFrame[]) => boolean, what: string, timeoutMs?: number): Promise<RawFrame[]>
  events(): RawFrame[]
}

/** A hand-driven listener: registers, opens the stream with `ws` and answers only what the test sends. */
export async function rawStream(g: Gateway, name: string, target = 'http://127.0.0.1:9/'): Promise<RawStream> {
  const registered = await registerListener(g, {name, target})
  const ws = new WebSocket(g.url.replace(/^http/, 'ws') + registered.stream_path, {
    headers: {authorization: `Bearer ${g.key}`},
  })
  const frames: RawFrame[] = []
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as RawFrame))
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve())
    ws.once('error', reject)
  })
  const closed = new Promise<{code: number; reason: string}>((resolve) =>
    ws.once('close', (code, reason) => resolve({code, reason: reason.toString()})),
  )
  onTestFinished(() => ws.terminate())
  await opened
  return {
    ws,
    frames,
    listenerId: registered.listener_id,
    opened,
    closed,
    events: () => frames.filter((f) => f.type === 'event'),
    waitForFrames: (predicate, what, timeoutMs = 5000) =>
      waitFor(() => predicate(frames) && frames.slice(), {
        timeoutMs,
        what: () => `${what} (frames: ${JSON.stringify(frames).slice(0, 500)})`,
      }),
  }
}

/** A well-formed final result frame for an event frame. */
export function resultFor(event: RawFrame, status = 200): Record<string, unknown> {
  return {
    type: 'result',
    delivery_id: event.delivery_id,
    final: true,
    status,
    latency_ms: 1,
    url: 'http://127.0.0.1:9/',
  }
}
/* eslint-enable @typescript-eslint/no-explicit-any */
