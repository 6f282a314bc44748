import {createServer, type Server} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

import {createRequestHandler} from '../api/server.js'
import {createIngestHandler} from '../ingest/handler.js'
import type {IngestLimits} from '../ingest/limits.js'
import {FeedServer} from './feed-server.js'
import {answerClientError} from './client-error.js'
import {GroupCommit} from './group-commit.js'
import {StreamServer, type StreamOptions} from './stream-server.js'
import {rejectUpgrade} from './upgrade-auth.js'
import type {ApiContext} from '../api/context.js'
import {DEFAULT_HOST, DEFAULT_PORT, defaultDataDir} from '../config/paths.js'
import {CaravanError, HttpError} from '../errors.js'
import {openDb, type Db} from '../store/db.js'
import {Dispatcher} from '../delivery/dispatcher.js'
import {Notifier} from '../delivery/notifier.js'
import {SvixOperational} from '../svix/operational.js'
import {Sender} from '../delivery/sender.js'
import {isLoopbackHost, relayExposure, SsrfGuard} from '../delivery/ssrf-guard.js'
import {parseRetention} from '../retention/duration.js'
import {RetentionScheduler} from '../retention/scheduler.js'
import {cachedStoreStats} from '../retention/store-size.js'
import {caravanVersion} from '../version.js'
import {bootstrapStore} from './bootstrap.js'
import {localProfileKeys} from './local-profile.js'
import {answerUpgradeFailure, type RetryBounds, StoreHealth} from './store-health.js'
import {DataDirLock, secureDataDir} from '../store/data-dir.js'
import {DEFAULT_LISTENER_TTL_MS, startListenerSweeper} from '../core/listener-expiry.js'
import {Sandbox, type SandboxOptions} from '../transform/sandbox.js'
import {createRelayEvents, type RelayEvents} from './relay-events.js'
import {createWebHandler} from '../web/static.js'
import {createPortalApiHandler, PORTAL_API_PREFIX} from '../portal/api.js'

export interface RelayOptions {
  host?: string
  /** 0 picks a free port (tests). */
  port?: number
  dataDir?: string
  /** Fix the admin API key instead of generating one. */
  apiKey?: string
  /** The URL providers should use, when the relay sits behind a proxy. */
  publicUrl?: string
  /** Subnets a public relay may still deliver to (e.g. 10.0.0.0/8). */
  allowSubnets?: string[]
  /** Run the delivery dispatcher (default true). */
  deliver?: boolean
  /** CA certificates (PEM) trusted for deliveries besides the system's (endpoints behind a private CA). */
  trustedCa?: string[]
  /** Stream tuning (heartbeat, bounds), mainly for tests. */
  stream?: Partial<Pick<StreamOptions, 'heartbeatMs' | 'deadAfterMs' | 'ackTimeoutMs' | 'window' | 'maxFrameBytes'>>
  /** Prune finished events older than this ("30d", "720h"); projects may set their own. */
  retention?: string
  /** Bounds on ingest traffic (concurrent bodies, buffered bytes, timeouts), mainly for tests. */
  ingest?: Partial<IngestLimits>
  /**
   * Open connections at most (HTTP, listener streams and feeds together); more are closed
   * on arrival, so idle or slow clients cannot exhaust file descriptors. Default 1000
   * (under the usual 1024 soft limit on open files).
   */
  maxConnections?: number
  /**
   * Started inside a `caravan listen`: /healthz says so (with its data dir, on loopback only),
   * so another listen that joins it can run the same relay when this one stops.
   */
  embedded?: boolean
  /** Remove listeners not connected for this long (default 7 days; 0 keeps them). */
  listenerTtlMs?: number
  /** Where the relay reports what it does (default: nowhere). */
  log?: (line: string) => void
  /** Config dir whose local profile holds the admin key on restarts (default: CARAVAN_CONFIG_DIR / XDG). */
  configDir?: string
  /** How long a write waits for another process's write lock (default 5000 ms; tests use less). */
  busyTimeoutMs?: number
  /** Back-off bounds while the store fails (default 250 ms doubling to 15 s). */
  storeRetry?: RetryBounds
  /** Accept HS256 JWTs signed with this secret on the Svix API, as svix-server does. */
  svixJwtSecret?: string
  /**
   * The delivery clock: retry schedule, breaker cool-downs, rate-limit windows, secret
   * expiry (default Date.now). Tests move it forward instead of waiting for retries.
   */
  now?: () => number
  /** Origins allowed to frame the customer portal (CSP frame-ancestors); default: this relay and localhost. */
  portalOrigins?: string[]
  /** Transformation sandbox tuning (limits, watchdog, queue bound), for tests. */
  sandbox?: SandboxOptions
}

export interface Relay {
  url: string
  host: string
  port: number
  dataDir: string
  adminKey: string
  defaultProjectId: string
  db: Db
  events: RelayEvents
  dispatcher?: Dispatcher
  /** Whether the store takes writes (shown by /healthz). */
  storeHealth: StoreHealth
  /** Prunes finished events past the retention period. */
  retention: RetentionScheduler
  /** Runs transformation functions in its worker thread (stopped with the relay). */
  sandbox: Sandbox
  /** Resolves when the relay has fully stopped. */
  closed: Promise<void>
  /** Stop taking requests, finish in-flight ones (within `graceMs`), close the store. */
  stop(opts?: {graceMs?: number}): Promise<void>
}

const DEFAULT_MAX_CONNECTIONS = 1000

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening)
      if (error.code === 'EADDRINUSE') {
        reject(
          new CaravanError('CARAVAN_ERR_PORT_IN_USE', `port ${port} on ${host} is already in use`, {
            hint: `Another caravan relay may be running (try: caravan status), or pick another port: caravan server --port ${port + 1}`,
          }),
        )
      } else if (error.code === 'EACCES') {
        reject(
          new CaravanError('CARAVAN_ERR_PORT_IN_USE', `no permission to listen on ${host}:${port}`, {
            hint: 'use a port above 1024',
          }),
        )
      } else {
        reject(error)
      }
    }
    const onListening = () => {
      server.off('error', onError)
      resolve()
    }
    server.once('error', onError)
    server.once('listening', onListening)
    server.listen(port, host)
  })
}

/**
 * Start the relay daemon: the store, the HTTP API and (later) ingest and delivery. The
 * `server` command, `listen` and the tests all use this one function.
 */
export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const host = options.host ?? DEFAULT_HOST
  const dataDir = options.dataDir ?? defaultDataDir()
  const log = options.log ?? (() => undefined)
  // A bad value fails before the data dir is locked or touched.
  const retentionMs = options.retention ? parseRetention(options.retention) : null
  const dirWarning = secureDataDir(dataDir)
  if (dirWarning) log(dirWarning)
  // Before the store is touched: a second relay must not recover the first one's in-flight sends.
  const lock = DataDirLock.acquire(dataDir)
  let db: Db
  let boot: ReturnType<typeof bootstrapStore>
  try {
    db = openDb(dataDir, {busyTimeoutMs: options.busyTimeoutMs})
    boot = bootstrapStore(db, {apiKey: options.apiKey, knownKeys: localProfileKeys(options.configDir)})
  } catch (error) {
    lock.release()
    throw error
  }
  // Transformation functions are checked when saved and run when sent, in this relay's own
  // worker thread, started with the first function (a relay without any never pays for it).
  const sandbox = Sandbox.lazy(options.sandbox)
  const {adminKey, defaultProjectId} = boot
  const busy = db.pragma('busy_timeout', {simple: true}) as number
  if (boot.replaced)
    log(
      'the admin API key is stored only as a hash and the local profile did not hold it: made a new one (pass --api-key to keep a fixed key)',
    )
  const health = new StoreHealth({log, retry: options.storeRetry, probe: () => probeStore(db, busy)})
  const events = createRelayEvents()
  const writer = new GroupCommit(db, health)
  // Acknowledgements wait for the disk; claims and delivery results only for the commit
  // (a crash redoes them: requeued at start, delivered at least once).
  const write = <T>(work: () => T): Promise<T> => writer.run(work)
  const record = <T>(work: () => T): Promise<T> => writer.run(work, {durable: false})
  // Behind a proxy (--public-url) the bind is loopback but the relay is public all the same.
  const exposure = relayExposure(host, options.publicUrl)
  const guard = new SsrfGuard(exposure.exposed, {allowSubnets: options.allowSubnets, why: exposure.why})
  const sender = new Sender(guard, undefined, {ca: options.trustedCa})
  const notifier = new Notifier(sender, log, {db, write})
  const dispatcher =
    options.deliver === false
      ? undefined
      : new Dispatcher({db, events, sender, notifier, log, write: record, health, now: options.now, sandbox})
  const svixOperational = new SvixOperational(db, notifier, events)
  const retention = new RetentionScheduler({db, write: record, defaultMs: retentionMs, log})
  const storeSize = cachedStoreStats(db, dataDir)
  let baseUrl = ''
  const ctx: ApiContext = {
    db,
    write,
    baseUrl: () => baseUrl,
    events,
    version: caravanVersion(),
    startedAt: Date.now(),
    // Public (no key): counts only, never names or targets.
    status: () => ({
      deliveries_in_flight: dispatcher?.inFlightCount ?? 0,
      listeners: stream.listeners().length,
      store: health.snapshot(),
      store_size: storeSize(),
      ...(options.embedded && isLoopbackHost(host) ? {embedded: true, data_dir: dataDir} : {}),
    }),
    listeners: () => stream.listeners(),
    targets: guard,
    circuitState: (endpoint) => (endpoint.kind === 'http' ? (dispatcher?.circuitState(endpoint.id) ?? null) : null),
    dropListener: (id) => stream.drop(id),
    resetCircuit: (id) => dispatcher?.resetCircuit(id),
    svix: {defaultProjectId, jwtSecret: options.svixJwtSecret || undefined, operational: svixOperational},
    resendMetaEvent: (project, id) => notifier.resend(project, id),
    fetchOAuth2Token: (config) => sender.fetchOAuth2Token(config),
    sandbox,
  }
  const feed = new FeedServer(db, events, undefined, health)
  const stream = new StreamServer({db, events, write: record, baseUrl: () => baseUrl, log, health, ...options.stream})
  const server = createServer(
    // Node's defaults (300 s per request) let slow senders hold sockets and buffers for minutes;
    // ingest bodies have their own tighter idle/total limits, these bound everything else.
    {keepAliveTimeout: 5000, headersTimeout: 20_000, requestTimeout: 90_000},
    createRequestHandler(ctx, {
      '/ingest': createIngestHandler({db, events, write, limits: options.ingest}),
      '/ui': createWebHandler('ui'),
      '/portal': createWebHandler('portal', {portalOrigins: options.portalOrigins}),
      [PORTAL_API_PREFIX]: createPortalApiHandler(ctx),
    }),
  )
  server.on('upgrade', (req, socket, head) => {
    // A client that resets mid-handshake must not become an unhandled 'error'.
    socket.on('error', () => socket.destroy())
    try {
      if (!stream.handleUpgrade(req, socket, head) && !feed.handleUpgrade(req, socket, head))
        rejectUpgrade(socket, 404, 'no such WebSocket route')
    } catch (error) {
      // A malformed target is the client's 400; a store condition a 503; nothing may take the relay down.
      if (error instanceof HttpError) rejectUpgrade(socket, error.status, error.message)
      else answerUpgradeFailure(socket, error, health, log)
    }
  })
  server.on('clientError', answerClientError)
  const sockets = new Set<Socket>()
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  try {
    await listen(server, host, options.port ?? DEFAULT_PORT)
  } catch (error) {
    health.close()
    db.close()
    lock.release()
    await sandbox.close()
    throw error
  }
  dispatcher?.start()
  retention.start()
  const sweeper = startListenerSweeper(db, {
    ttlMs: options.listenerTtlMs ?? DEFAULT_LISTENER_TTL_MS,
    connected: () => new Set(stream.listeners().map((l) => l.listener_id)),
    log,
  })
  const port = (server.address() as AddressInfo).port
  lock.setAddress(host, port)
  const url = `http://${formatHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${port}`
  baseUrl = (options.publicUrl ?? url).replace(/\/+$/, '')

  let resolveClosed!: () => void
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve))
  let stopping: Promise<void> | undefined

  const stop = ({graceMs = 10_000} = {}): Promise<void> => {
    stopping ??= (async () => {
      // Stop taking requests first, then let sends in flight finish within the bound.
      const done = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      const timer = setTimeout(() => {
        for (const socket of sockets) socket.destroy()
      }, graceMs)
      await Promise.all([
        done,
        stream.close(),
        feed.close(),
        retention.stop(),
        dispatcher?.stop(graceMs) ?? sender.close(),
      ])
      clearTimeout(timer)
      // After the requests and deliveries that could still be waiting on a function.
      await sandbox.close()
      sweeper.stop()
      svixOperational.stop()
      events.removeAllListeners()
      health.close()
      await writer.close()
      db.close()
      lock.release()
      resolveClosed()
    })()
    return stopping
  }

  return {
    url,
    host,
    port,
    dataDir,
    adminKey,
    defaultProjectId,
    db,
    events,
    dispatcher,
    storeHealth: health,
    retention,
    sandbox,
    closed,
    stop,
  }
}

/**
 * The write /healthz's recovery check makes while the store fails: it must find room for
 * 64 KiB and take the write lock, then leaves nothing behind. It does not wait for a lock
 * held elsewhere (busy timeout 0), so probing never stalls the relay.
 */
function probeStore(db: Db, busyTimeoutMs: number): void {
  db.pragma('busy_timeout = 0')
  try {
    db.transaction(() => {
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('store_probe', zeroblob(65536))`).run()
      db.prepare(`DELETE FROM meta WHERE key = 'store_probe'`).run()
    })()
  } finally {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`)
  }
}
