import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import {type WebSocket, WebSocketServer} from 'ws'

import {attemptJson, eventJson} from '../api/serialize.js'
import {deliverySummaries, eventStatus} from '../core/events.js'
import type {Db} from '../store/db.js'
import type {Delivery, DeliveryAttempt, EventRecord} from '../store/types.js'
import type {RelayEvents} from './relay-events.js'
import type {StoreHealth} from './store-health.js'
import {authorizeUpgrade, FEED_PROTOCOL, upgradeProjectId, upgradeTarget} from './upgrade-auth.js'

interface Watcher {
  ws: WebSocket
  projectId: string
  sourceId?: string
  lastSeen: number
}

/**
 * A read-only live feed of a project's events and delivery updates
 * (`/api/v1/projects/{id}/feed`, Caravan extension) for `caravan inspect`: pushed from
 * the relay's event seam, so viewers never poll the store.
 */
export class FeedServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    // Browsers offer `caravan.feed` and their key (see protocolKey): answer the former only.
    handleProtocols: (offered) => (offered.has(FEED_PROTOCOL) ? FEED_PROTOCOL : false),
  })
  private readonly watchers = new Set<Watcher>()
  private readonly heartbeat: NodeJS.Timeout
  private readonly onEvent = ({event, deliveries}: {event: EventRecord; deliveries: Delivery[]}) => {
    const targets = [...this.watchers].filter(
      (w) => w.projectId === event.project_id && (!w.sourceId || w.sourceId === event.source_id),
    )
    if (!targets.length) return
    let summary
    try {
      summary = deliverySummaries(this.db, [event.id]).get(event.id)
    } catch (error) {
      // Emitted from ingest after the event is stored: a throw here would fail that request.
      // Viewers get the event without its delivery counts; updates follow as they come.
      this.health?.failed('the live feed', error)
    }
    const frame = JSON.stringify({
      type: 'event',
      event: eventJson(
        event,
        eventStatus(
          event,
          deliveries.map((d) => d.status),
        ),
        summary,
      ),
    })
    for (const w of targets) w.ws.send(frame)
  }

  private readonly onDelivery = ({delivery, attempt}: {delivery: Delivery; attempt?: DeliveryAttempt}) => {
    const targets = [...this.watchers].filter((w) => w.projectId === delivery.project_id)
    if (!targets.length) return
    const frame = JSON.stringify({
      type: 'delivery',
      delivery: {
        uid: delivery.id,
        event_id: delivery.event_id,
        endpoint_id: delivery.endpoint_id,
        status: delivery.status,
        attempts: delivery.attempts,
        latency_ms: delivery.latency_ms,
        description: delivery.description,
      },
      attempt: attempt ? attemptJson(attempt) : undefined,
    })
    for (const w of targets) w.ws.send(frame)
  }

  constructor(
    private readonly db: Db,
    private readonly events: RelayEvents,
    heartbeatMs = 10_000,
    private readonly health?: StoreHealth,
  ) {
    events.on('event.created', this.onEvent)
    events.on('delivery.updated', this.onDelivery)
    this.heartbeat = setInterval(() => {
      for (const w of this.watchers) {
        if (Date.now() - w.lastSeen > heartbeatMs * 3) w.ws.terminate()
        else w.ws.ping()
      }
    }, heartbeatMs)
    this.heartbeat.unref()
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    // Throws HttpError 400 on a malformed target: the relay's upgrade handler answers it.
    const target = upgradeTarget(req)
    const projectId = upgradeProjectId(target, 'feed')
    if (projectId === undefined) return false
    if (!authorizeUpgrade(this.db, req, socket, projectId, {browserKey: true})) return true
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const watcher: Watcher = {
        ws,
        projectId,
        sourceId: target.query.get('source') || undefined,
        lastSeen: Date.now(),
      }
      this.watchers.add(watcher)
      const seen = () => (watcher.lastSeen = Date.now())
      ws.on('pong', seen)
      ws.on('ping', seen)
      ws.on('message', seen)
      ws.on('close', () => this.watchers.delete(watcher))
      ws.on('error', () => this.watchers.delete(watcher))
      ws.send(JSON.stringify({type: 'hello', project_id: projectId}))
    })
    return true
  }

  get size(): number {
    return this.watchers.size
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat)
    this.events.off('event.created', this.onEvent)
    this.events.off('delivery.updated', this.onDelivery)
    for (const w of this.watchers) w.ws.close(1001, 'relay shutting down')
    await new Promise<void>((resolve) => this.wss.close(() => resolve()))
  }
}
