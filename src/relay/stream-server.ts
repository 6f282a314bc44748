import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import {type WebSocket, WebSocketServer} from 'ws'

import {ingestUrl} from '../api/serialize.js'
import {isProviderName} from '../ingest/providers.js'
import {resignHeaders} from '../ingest/sign-provider.js'
import {atomic, type Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {attempts, deliveries, endpoints, events as eventTable, sources} from '../store/resources.js'
import type {Delivery, DeliveryAttempt, Endpoint, Source} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {touchListener} from '../core/listeners.js'
import {RESPONSE_BODY_LIMIT} from '../util/http-response.js'
import type {RelayEvents} from './relay-events.js'
import {type Backoff, StoreHealth} from './store-health.js'
import {authorizeUpgrade, rejectUpgrade, upgradeProjectId, upgradeTarget} from './upgrade-auth.js'
import {type EventFrame, parseResultFrame, type ResultFrame, STREAM_PROTOCOL_VERSION} from './stream-protocol.js'

export interface StreamOptions {
  db: Db
  /** The relay's group commit: listener results share fsyncs. */
  write?: <T>(work: () => T) => Promise<T>
  events: RelayEvents
  baseUrl: () => string
  log: (line: string) => void
  heartbeatMs?: number
  /** A listener silent (no pong) this long is dropped; its events wait for the next one. */
  deadAfterMs?: number
  /** A listener holding events without answering any for this long is dropped. */
  ackTimeoutMs?: number
  /** Events sent but not yet answered, per listener. */
  window?: number
  maxFrameBytes?: number
  /** Where store failures are reported (shared with the relay's other parts). */
  health?: StoreHealth
}

export interface ListenerInfo {
  listener_id: string
  project_id: string
  name: string
  source: string
  target: string
  connected_at: string
  remote: string
  in_flight: number
}

const BAD_FRAME_LIMIT = 5
/** Timestamped provider signatures go stale; older events are re-signed before forwarding. */
const RESIGN_AFTER_MS = 60_000

const isMapOf = (value: unknown, valid: (v: unknown) => boolean): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(valid)

/**
 * The optional result fields the store and the API read back: one of the wrong type must be
 * refused here, not crash the gateway when it is recorded (or later when it is listed).
 */
function resultFieldProblem(frame: ResultFrame): string | undefined {
  if (!Number.isFinite(frame.latency_ms)) return 'result.latency_ms must be a finite number'
  if (frame.body_base64 != null && typeof frame.body_base64 !== 'string') return 'result.body_base64 must be a string'
  if (frame.error != null && typeof frame.error !== 'string') return 'result.error must be a string'
  if (frame.url != null && typeof frame.url !== 'string') return 'result.url must be a string'
  if (
    frame.headers != null &&
    !isMapOf(frame.headers, (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'))
  )
    return 'result.headers must map names to arrays of strings'
  if (frame.request_headers != null && !isMapOf(frame.request_headers, (v) => typeof v === 'string'))
    return 'result.request_headers must map names to strings'
  return undefined
}

class Connection {
  readonly pending = new Set<string>()
  /** Deliveries behind the cursor put back in the queue (resend, replay): sent first. */
  readonly requeued = new Set<string>()
  lastSent = ''
  lastSeen = Date.now()
  /** Last time the listener answered an event (or had nothing outstanding). */
  lastProgress = Date.now()
  badFrames = 0
  readonly connectedAt = nowIso()
  /** Set while a pump waits out a store failure. */
  pumpTimer: NodeJS.Timeout | undefined
  readonly pumpBackoff: Backoff

  constructor(
    readonly ws: WebSocket,
    readonly endpoint: Endpoint,
    readonly source: Source,
    readonly remote: string,
    health: StoreHealth,
    /** How long this listener may hold an event (its --forward-timeout plus a margin); 0: no limit. */
    readonly ackTimeoutMs: number,
  ) {
    this.pumpBackoff = health.backoff()
  }
}

/**
 * The gateway side of `caravan listen`: pushes each stream delivery of a listener's cli
 * endpoint, in order, and records the listener's results as delivery attempts. Anything
 * not answered stays queued in the store for the next connection.
 */
export class StreamServer {
  private readonly wss: WebSocketServer
  private readonly connections = new Map<string, Connection>()
  private readonly heartbeat: NodeJS.Timeout
  private readonly window: number
  private readonly health: StoreHealth
  /**
   * Listener results the store could not take yet (disk full, write lock held elsewhere),
   * by attempt id, oldest first: retried with back-off, never dropped while the relay runs.
   */
  private readonly unrecorded = new Map<string, {deliveryId: string; commit: () => Promise<void>}>()
  private unrecordedTimer: NodeJS.Timeout | undefined
  private readonly unrecordedBackoff: Backoff
  private readonly offRecovered: () => void
  private retrying = false
  private readonly onCreated = ({deliveries: made}: {deliveries: Delivery[]}) => {
    for (const d of made) {
      const conn = this.connections.get(d.endpoint_id)
      if (conn) this.pump(conn)
    }
  }
  /**
   * A resend, batch retry or replay puts deliveries back in the queue, maybe behind the
   * cursor: find those and send them too (without waiting for a reconnect).
   */
  private readonly onScheduled = ({projectId}: {projectId: string}) => {
    const rescan = () => {
      for (const conn of this.connections.values()) {
        if (conn.endpoint.project_id !== projectId || !conn.lastSent) continue
        let behind: {id: string}[]
        try {
          behind = this.opts.db
            .prepare(
              `SELECT id FROM deliveries WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry') AND id <= ? ORDER BY id`,
            )
            .all(conn.endpoint.id, conn.lastSent) as {id: string}[]
        } catch (error) {
          // Not found now, sent on the listener's next connection (its backlog).
          this.storeFailed('looking for requeued deliveries', error)
          continue
        }
        for (const {id} of behind) if (!conn.pending.has(id) && !this.isUnrecorded(id)) conn.requeued.add(id)
        this.pump(conn)
      }
    }
    // Results are stored through the group-commit writer: look only once those already
    // answered are committed, or one answered a moment ago would look requeued.
    if (this.opts.write) void this.opts.write(() => undefined).then(rescan, rescan)
    else rescan()
  }

  constructor(private readonly opts: StreamOptions) {
    this.window = opts.window ?? 50
    this.health = opts.health ?? new StoreHealth({log: opts.log})
    this.unrecordedBackoff = this.health.backoff()
    this.offRecovered = this.health.onRecovered(() => this.retryNow())
    this.wss = new WebSocketServer({noServer: true, maxPayload: opts.maxFrameBytes ?? 16 * 1024 * 1024})
    opts.events.on('event.created', this.onCreated)
    opts.events.on('deliveries.scheduled', this.onScheduled)
    const deadAfter = opts.deadAfterMs ?? 30_000
    const tick = Math.min(opts.heartbeatMs ?? 10_000, deadAfter / 3)
    this.heartbeat = setInterval(() => {
      const now = Date.now()
      for (const conn of this.connections.values()) {
        // Checked every tick against deadAfter minus one tick, so a silent peer is found
        // within deadAfter of last being heard (a live one answers each ping at once).
        if (now - conn.lastSeen > deadAfter - tick) {
          this.opts.log(`listener ${conn.endpoint.name} stopped answering heartbeats; dropped (its events stay queued)`)
          conn.ws.terminate()
        } else if (conn.ackTimeoutMs > 0 && conn.pending.size > 0 && now - conn.lastProgress > conn.ackTimeoutMs) {
          this.opts.log(
            `listener ${conn.endpoint.name} did not answer its events within ${conn.ackTimeoutMs / 1000}s; dropped (its events stay queued)`,
          )
          conn.ws.close(4001, 'events not answered in time')
        } else {
          conn.ws.ping()
        }
      }
    }, tick)
    this.heartbeat.unref()
  }

  listeners(): ListenerInfo[] {
    return [...this.connections.values()].map((c) => ({
      listener_id: c.endpoint.id,
      project_id: c.endpoint.project_id,
      name: c.endpoint.name,
      source: c.source.name,
      target: c.endpoint.url,
      connected_at: c.connectedAt,
      remote: c.remote,
      in_flight: c.pending.size,
    }))
  }

  /** A listener was removed: end its stream so its listen says so and stops. */
  drop(listenerId: string): void {
    this.connections.get(listenerId)?.ws.close(4002, 'listener removed')
  }

  /** Handles `/api/v1/projects/{id}/stream` upgrades; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    // Throws HttpError 400 on a malformed target: the relay's upgrade handler answers it.
    const target = upgradeTarget(req)
    const projectId = upgradeProjectId(target, 'stream')
    if (projectId === undefined) return false
    const db = this.opts.db
    const project = authorizeUpgrade(db, req, socket, projectId)
    if (!project) return true
    const listenerId = target.query.get('listener') ?? ''
    const endpoint = endpoints.get(db, projectId, listenerId)
    if (!endpoint || endpoint.kind !== 'cli') {
      rejectUpgrade(
        socket,
        404,
        `no listener "${listenerId}" in project ${projectId}: register it with POST /api/v1/projects/${projectId}/listeners`,
      )
      return true
    }
    const sub = db
      .prepare(`SELECT source_id FROM subscriptions WHERE endpoint_id = ? AND type = 'cli' AND deleted_at IS NULL`)
      .get(endpoint.id) as {source_id: string} | undefined
    const source = sub ? sources.get(db, projectId, sub.source_id) : undefined
    if (!source) {
      rejectUpgrade(socket, 404, `listener ${endpoint.name} has no source`)
      return true
    }
    const skipBacklog = target.query.get('skip_backlog') === '1' || target.query.get('skip_backlog') === 'true'
    // A listen whose forwards may take long (--forward-timeout, 0 = none: a breakpoint in the
    // app) must not be dropped for holding an event that long.
    const base = this.opts.ackTimeoutMs ?? 120_000
    const forwardTimeout = Number(target.query.get('forward_timeout_ms') ?? NaN)
    const ackTimeoutMs = !Number.isFinite(forwardTimeout)
      ? base
      : forwardTimeout <= 0
        ? 0
        : Math.max(base, forwardTimeout + 30_000)
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.accept(ws, endpoint, source, req.socket.remoteAddress ?? '', skipBacklog, ackTimeoutMs),
    )
    return true
  }

  private accept(
    ws: WebSocket,
    endpoint: Endpoint,
    source: Source,
    remote: string,
    skipBacklog: boolean,
    ackTimeoutMs: number,
  ): void {
    const previous = this.connections.get(endpoint.id)
    if (previous) previous.ws.close(4000, 'replaced by a new connection of the same listener')
    const conn = new Connection(ws, endpoint, source, remote, this.health, ackTimeoutMs)
    const db = this.opts.db
    let backlog: number
    try {
      touchListener(db, endpoint.id)
      if (skipBacklog) {
        db.prepare(
          `UPDATE deliveries SET status = 'Discarded', description = 'skipped: listen --skip-backlog', updated_at = ? WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry')`,
        ).run(nowIso(), endpoint.id)
      }
      backlog = (
        db
          .prepare(
            `SELECT COUNT(*) AS n FROM deliveries WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry')`,
          )
          .get(endpoint.id) as {n: number}
      ).n
    } catch (error) {
      // 1013 "try again later": the listener reconnects with back-off.
      this.storeFailed(`accepting listener ${endpoint.name}`, error)
      ws.close(1013, 'store unavailable, try again later')
      return
    }
    this.connections.set(endpoint.id, conn)
    ws.on('pong', () => (conn.lastSeen = Date.now()))
    ws.on('ping', () => (conn.lastSeen = Date.now()))
    ws.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? '' : data.toString()))
    ws.on('close', () => {
      clearTimeout(conn.pumpTimer)
      if (this.connections.get(endpoint.id) === conn) this.connections.delete(endpoint.id)
      try {
        touchListener(db, endpoint.id)
      } catch {
        // the store is closing with the relay: the connect time recorded is close enough
      }
    })
    ws.on('error', (error) => this.opts.log(`listener ${endpoint.name}: ${error.message}`))
    this.send(conn, {
      type: 'hello',
      version: STREAM_PROTOCOL_VERSION,
      listener_id: endpoint.id,
      source: {id: source.id, name: source.name, url: ingestUrl(this.opts.baseUrl(), source.mask_id)},
      backlog,
    })
    this.pump(conn)
  }

  private send(conn: Connection, frame: object): void {
    if (conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame))
  }

  /**
   * Send queued deliveries, oldest first, until the window is full. Everything is read
   * before the cursor moves: a store failure halfway leaves the connection as it was, and
   * the pump tries again with back-off (it runs from event handlers, where a throw would
   * fail an ingest request that is already stored, or kill the relay).
   */
  private pump(conn: Connection): void {
    if (conn.pumpTimer) return
    try {
      this.pumpNow(conn)
      conn.pumpBackoff.reset()
    } catch (error) {
      this.storeFailed(`sending events to listener ${conn.endpoint.name}`, error)
      conn.pumpTimer = setTimeout(() => {
        conn.pumpTimer = undefined
        this.pump(conn)
      }, conn.pumpBackoff.next())
      conn.pumpTimer.unref?.()
    }
  }

  private pumpNow(conn: Connection): void {
    const room = this.window - conn.pending.size
    if (room <= 0 || conn.ws.readyState !== conn.ws.OPEN) return
    // Results wait to be recorded: sending more would only pile more of them up in memory.
    if (this.unrecorded.size > 0) return
    const batch: Delivery[] = []
    const taken: string[] = []
    for (const id of [...conn.requeued].sort()) {
      if (batch.length >= room) break
      taken.push(id)
      const delivery = deliveries.get(this.opts.db, conn.endpoint.project_id, id)
      if (delivery && (delivery.status === 'Scheduled' || delivery.status === 'Retry') && !conn.pending.has(id))
        batch.push(delivery)
    }
    const rows = this.opts.db
      .prepare(
        `SELECT * FROM deliveries WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry') AND id > ? ORDER BY id LIMIT ?`,
      )
      .all(conn.endpoint.id, conn.lastSent, room - batch.length)
      .map((row) => deliveries.fromRow(row as Record<string, unknown>))
    const toSend = [...batch, ...rows].map((delivery) => ({
      delivery,
      event: eventTable.get(this.opts.db, delivery.project_id, delivery.event_id),
    }))
    // All read: now move the cursor.
    for (const id of taken) conn.requeued.delete(id)
    if (conn.pending.size === 0) conn.lastProgress = Date.now()
    for (const delivery of rows) conn.lastSent = delivery.id
    for (const {delivery, event} of toSend) {
      if (!event || this.isUnrecorded(delivery.id)) continue
      conn.pending.add(delivery.id)
      const headers = this.freshHeaders(conn.source, event.headers, event.body, Date.parse(event.created_at))
      const frame: EventFrame = {
        type: 'event',
        cursor: delivery.id,
        delivery_id: delivery.id,
        attempt: delivery.attempts + 1,
        event: {
          id: event.id,
          event_type: event.event_type,
          method: event.method,
          path: event.url_path,
          query: event.url_query,
          headers,
          body_base64: event.body.toString('base64'),
          created_at: event.created_at,
          source_id: event.source_id ?? '',
        },
      }
      this.send(conn, frame)
    }
  }

  /** Re-sign Stripe / Standard Webhooks requests that would now fail the app's timestamp check. */
  private freshHeaders(
    source: Source,
    headers: Record<string, string[]>,
    body: Buffer,
    createdAt: number,
  ): Record<string, string[]> {
    const secret = (source.verifier.hmac as {secret?: string} | undefined)?.secret
    const now = Date.now()
    if (!secret || !isProviderName(source.provider) || now - createdAt < RESIGN_AFTER_MS) return headers
    if (source.provider !== 'stripe' && source.provider !== 'standard-webhooks') return headers
    return resignHeaders(source.provider, secret, headers, body, now) as Record<string, string[]>
  }

  private onMessage(conn: Connection, text: string): void {
    conn.lastSeen = Date.now()
    const frame = parseResultFrame(text)
    const problem = typeof frame === 'string' ? frame : resultFieldProblem(frame)
    if (typeof frame === 'string' || problem) {
      conn.badFrames++
      this.send(conn, {type: 'error', message: problem})
      if (conn.badFrames >= BAD_FRAME_LIMIT) conn.ws.close(1008, 'too many invalid frames')
      return
    }
    if (!conn.pending.has(frame.delivery_id)) {
      this.send(conn, {type: 'error', message: `delivery ${frame.delivery_id} was not sent to this listener`})
      return
    }
    conn.lastProgress = Date.now()
    try {
      this.record(conn, frame)
    } catch (error) {
      // Thrown from a ws 'message' handler this would take the whole gateway down.
      this.opts.log(
        `listener ${conn.endpoint.name}: result for ${frame.delivery_id} not recorded: ${(error as Error).message}`,
      )
      this.send(conn, {type: 'error', message: `result for ${frame.delivery_id} could not be recorded`})
      return
    }
    this.pump(conn)
  }

  private record(conn: Connection, frame: ResultFrame): void {
    const db = this.opts.db
    const projectId = conn.endpoint.project_id
    const now = Date.now()
    const ok = frame.status !== null && frame.status >= 200 && frame.status < 300
    const status = ok ? 'Success' : frame.final ? 'Failure' : 'Retry'
    const attempt: DeliveryAttempt = {
      id: ulid(now),
      project_id: projectId,
      delivery_id: frame.delivery_id,
      endpoint_id: conn.endpoint.id,
      url: frame.url ?? conn.endpoint.url,
      method: 'POST',
      request_headers: Object.fromEntries(
        Object.entries(frame.request_headers ?? {}).map(([k, v]) => [k, [String(v)]]),
      ),
      response_status: frame.status,
      response_headers: frame.headers ?? null,
      response_body: frame.body_base64
        ? Buffer.from(frame.body_base64, 'base64').subarray(0, RESPONSE_BODY_LIMIT)
        : null,
      error: frame.error ?? '',
      latency_ms: Math.round(frame.latency_ms),
      created_at: nowIso(now),
    }
    let updated: Delivery | undefined
    // Store reads happen inside the write, so a failing store fails (and retries) it whole.
    const commit = () => {
      // Counted from the row as it is at commit time: another result for this delivery may
      // be in the same group commit, written just before this one.
      const current = deliveries.get(db, projectId, frame.delivery_id)
      if (!current) return
      // The listener forwards with the event's own method (PUT, PATCH...), not always POST.
      attempt.method = eventTable.get(db, projectId, current.event_id)?.method ?? 'POST'
      updated = {
        ...current,
        status,
        attempts: current.attempts + 1,
        latency_ms: attempt.latency_ms,
        description: frame.error ?? (ok ? '' : `HTTP ${frame.status}`),
        updated_at: nowIso(now),
      }
      attempts.insert(db, attempt)
      deliveries.update(db, updated)
    }
    if (status !== 'Retry') conn.pending.delete(frame.delivery_id)
    const done = () => updated && this.opts.events.emit('delivery.updated', {delivery: updated, attempt})
    const write = this.opts.write ?? (async <T>(work: () => T) => atomic(db, work))
    const save = () => write(commit).then(done)
    save().catch((error: unknown) => this.keepUnrecorded(attempt.id, frame.delivery_id, save, error))
  }

  private storeFailed(where: string, error: unknown): void {
    if (!this.health.failed(where, error)) this.opts.log(`${where}: ${(error as Error).message}`)
  }

  /** The store took a write again: retry what waits out a back-off now. */
  private retryNow(): void {
    clearTimeout(this.unrecordedTimer)
    this.unrecordedTimer = undefined
    this.unrecordedBackoff.reset()
    for (const conn of this.connections.values()) {
      clearTimeout(conn.pumpTimer)
      conn.pumpTimer = undefined
      conn.pumpBackoff.reset()
    }
    if (this.unrecorded.size) void this.retryUnrecorded()
    else for (const conn of this.connections.values()) this.pump(conn)
  }

  private isUnrecorded(deliveryId: string): boolean {
    for (const r of this.unrecorded.values()) if (r.deliveryId === deliveryId) return true
    return false
  }

  /** A result the store could not take: keep it and retry (a store condition), or report it. */
  private keepUnrecorded(attemptId: string, deliveryId: string, save: () => Promise<unknown>, error: unknown): void {
    if (!this.health.failed('recording a listener result', error)) {
      this.opts.log(`recording a listener result failed: ${(error as Error).message}`)
      return
    }
    this.unrecorded.set(attemptId, {deliveryId, commit: async () => void (await save())})
    this.armUnrecorded()
  }

  private armUnrecorded(): void {
    if (this.unrecordedTimer) return
    this.unrecordedTimer = setTimeout(() => {
      this.unrecordedTimer = undefined
      void this.retryUnrecorded()
    }, this.unrecordedBackoff.next())
    this.unrecordedTimer.unref?.()
  }

  /** Oldest first, stopping at the first failure; once all are in, the listeners move on. */
  private async retryUnrecorded(): Promise<void> {
    // One pass at a time: two would record the same result twice.
    if (this.retrying) return
    this.retrying = true
    try {
      for (const [id, r] of this.unrecorded) {
        try {
          await r.commit()
        } catch (error) {
          if (this.health.failed('recording a listener result', error)) {
            this.armUnrecorded()
            return
          }
          this.opts.log(`recording a listener result failed: ${(error as Error).message}`)
        }
        this.unrecorded.delete(id)
      }
    } finally {
      this.retrying = false
    }
    this.unrecordedBackoff.reset()
    for (const conn of this.connections.values()) this.pump(conn)
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat)
    this.offRecovered()
    clearTimeout(this.unrecordedTimer)
    // Last try; results still unrecorded leave their deliveries queued, sent again next time.
    if (this.unrecorded.size && this.opts.db.open) await this.retryUnrecorded()
    clearTimeout(this.unrecordedTimer)
    if (this.unrecorded.size)
      this.opts.log(
        `${this.unrecorded.size} listener results could not be recorded (store unavailable); those events are sent again on the next connection`,
      )
    for (const conn of this.connections.values()) clearTimeout(conn.pumpTimer)
    this.opts.events.off('event.created', this.onCreated)
    this.opts.events.off('deliveries.scheduled', this.onScheduled)
    for (const conn of this.connections.values()) conn.ws.close(1001, 'relay shutting down')
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
