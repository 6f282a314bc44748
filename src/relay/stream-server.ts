import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import {type WebSocket, WebSocketServer} from 'ws'

import {ingestUrl} from '../api/serialize.js'
import {isProviderName} from '../ingest/providers.js'
import {resignHeaders} from '../ingest/sign-provider.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {attempts, deliveries, endpoints, events as eventTable, sources} from '../store/resources.js'
import type {Delivery, DeliveryAttempt, Endpoint, Source} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {RESPONSE_BODY_LIMIT} from '../util/http-response.js'
import type {RelayEvents} from './relay-events.js'
import {authorizeUpgrade, rejectUpgrade} from './upgrade-auth.js'
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

  constructor(
    readonly ws: WebSocket,
    readonly endpoint: Endpoint,
    readonly source: Source,
    readonly remote: string,
  ) {}
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
        const behind = this.opts.db
          .prepare(
            `SELECT id FROM deliveries WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry') AND id <= ? ORDER BY id`,
          )
          .all(conn.endpoint.id, conn.lastSent) as {id: string}[]
        for (const {id} of behind) if (!conn.pending.has(id)) conn.requeued.add(id)
        this.pump(conn)
      }
    }
    // Results are stored through the group-commit writer: look only once those already
    // answered are committed, or one answered a moment ago would look requeued.
    if (this.opts.write) void this.opts.write(() => undefined).then(rescan, () => undefined)
    else rescan()
  }

  constructor(private readonly opts: StreamOptions) {
    this.window = opts.window ?? 50
    this.wss = new WebSocketServer({noServer: true, maxPayload: opts.maxFrameBytes ?? 16 * 1024 * 1024})
    opts.events.on('event.created', this.onCreated)
    opts.events.on('deliveries.scheduled', this.onScheduled)
    const deadAfter = opts.deadAfterMs ?? 30_000
    const tick = Math.min(opts.heartbeatMs ?? 10_000, deadAfter / 3)
    const ackTimeout = opts.ackTimeoutMs ?? 120_000
    this.heartbeat = setInterval(() => {
      const now = Date.now()
      for (const conn of this.connections.values()) {
        // Checked every tick against deadAfter minus one tick, so a silent peer is found
        // within deadAfter of last being heard (a live one answers each ping at once).
        if (now - conn.lastSeen > deadAfter - tick) {
          this.opts.log(`listener ${conn.endpoint.name} stopped answering heartbeats; dropped (its events stay queued)`)
          conn.ws.terminate()
        } else if (conn.pending.size > 0 && now - conn.lastProgress > ackTimeout) {
          this.opts.log(
            `listener ${conn.endpoint.name} did not answer its events within ${ackTimeout / 1000}s; dropped (its events stay queued)`,
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

  /** Handles `/api/v1/projects/{id}/stream` upgrades; returns false for other paths. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://relay.local')
    const match = /^\/api\/v1\/projects\/([^/]+)\/stream\/?$/.exec(url.pathname)
    if (!match) return false
    const db = this.opts.db
    const projectId = decodeURIComponent(match[1])
    const project = authorizeUpgrade(db, req, socket, projectId)
    if (!project) return true
    const listenerId = url.searchParams.get('listener') ?? ''
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
    const skipBacklog = url.searchParams.get('skip_backlog') === '1' || url.searchParams.get('skip_backlog') === 'true'
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.accept(ws, endpoint, source, req.socket.remoteAddress ?? '', skipBacklog),
    )
    return true
  }

  private accept(ws: WebSocket, endpoint: Endpoint, source: Source, remote: string, skipBacklog: boolean): void {
    const previous = this.connections.get(endpoint.id)
    if (previous) previous.ws.close(4000, 'replaced by a new connection of the same listener')
    const conn = new Connection(ws, endpoint, source, remote)
    this.connections.set(endpoint.id, conn)
    const db = this.opts.db
    if (skipBacklog) {
      db.prepare(
        `UPDATE deliveries SET status = 'Discarded', description = 'skipped: listen --skip-backlog', updated_at = ? WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry')`,
      ).run(nowIso(), endpoint.id)
    }
    const backlog = (
      db
        .prepare(
          `SELECT COUNT(*) AS n FROM deliveries WHERE endpoint_id = ? AND mode = 'stream' AND status IN ('Scheduled', 'Retry')`,
        )
        .get(endpoint.id) as {n: number}
    ).n
    ws.on('pong', () => (conn.lastSeen = Date.now()))
    ws.on('ping', () => (conn.lastSeen = Date.now()))
    ws.on('message', (data, isBinary) => this.onMessage(conn, isBinary ? '' : data.toString()))
    ws.on('close', () => {
      if (this.connections.get(endpoint.id) === conn) this.connections.delete(endpoint.id)
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

  /** Send queued deliveries, oldest first, until the window is full. */
  private pump(conn: Connection): void {
    const room = this.window - conn.pending.size
    if (room <= 0 || conn.ws.readyState !== conn.ws.OPEN) return
    const batch: Delivery[] = []
    for (const id of [...conn.requeued].sort()) {
      if (batch.length >= room) break
      conn.requeued.delete(id)
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
    if (conn.pending.size === 0) conn.lastProgress = Date.now()
    for (const delivery of rows) conn.lastSent = delivery.id
    for (const delivery of [...batch, ...rows]) {
      const event = eventTable.get(this.opts.db, delivery.project_id, delivery.event_id)
      if (!event) continue
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
    const delivery = deliveries.get(db, conn.endpoint.project_id, frame.delivery_id)
    if (!delivery) return
    const now = Date.now()
    const ok = frame.status !== null && frame.status >= 200 && frame.status < 300
    const status = ok ? 'Success' : frame.final ? 'Failure' : 'Retry'
    const attempt: DeliveryAttempt = {
      id: ulid(now),
      project_id: delivery.project_id,
      delivery_id: delivery.id,
      endpoint_id: conn.endpoint.id,
      url: frame.url ?? conn.endpoint.url,
      // The listener forwards with the event's own method (PUT, PATCH...), not always POST.
      method: eventTable.get(db, delivery.project_id, delivery.event_id)?.method ?? 'POST',
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
    const commit = () => {
      // Counted from the row as it is at commit time: another result for this delivery may
      // be in the same group commit, written just before this one.
      const current = deliveries.get(db, delivery.project_id, delivery.id) ?? delivery
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
    if (status !== 'Retry') conn.pending.delete(delivery.id)
    const done = () => updated && this.opts.events.emit('delivery.updated', {delivery: updated, attempt})
    if (this.opts.write)
      void this.opts
        .write(commit)
        .then(done, (error: Error) => this.opts.log(`recording a listener result failed: ${error.message}`))
    else {
      db.transaction(commit)()
      done()
    }
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat)
    this.opts.events.off('event.created', this.onCreated)
    this.opts.events.off('deliveries.scheduled', this.onScheduled)
    for (const conn of this.connections.values()) conn.ws.close(1001, 'relay shutting down')
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
