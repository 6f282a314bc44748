import type WebSocket from 'ws'

import type {GatewayClient} from '../client/gateway-client.js'
import type {Json} from '../client/resources.js'
import {pickSource} from '../client/sources.js'
import {CaravanError} from '../errors.js'
import type {InspectAttempt, InspectDelivery, InspectEvent} from './types.js'

export interface DeliveryUpdate {
  eventId: string
  status: string
  attempts: number
  responseStatus?: number | null
  latencyMs?: number | null
}

export interface Subscription {
  close: () => void
}

/**
 * What the inspector needs from a gateway: recent events, a live feed, an event's
 * deliveries and attempts, and replay. Backed by the Caravan API and its WebSocket feed.
 */
export class InspectorBackend {
  private sources = new Map<string, Json>()
  listenerTarget: string | undefined
  /** Waits before the feed's reconnects: at once, then 100 ms, 1 s, 5 s, 5 s, ... (tests shorten them). */
  reconnectDelaysMs: readonly number[] = [0, 100, 1000, 5000]

  constructor(
    readonly client: GatewayClient,
    readonly projectId: string,
    readonly apiKey: string | undefined,
    readonly sourceFilter?: string,
  ) {}

  private get base(): string {
    return `/api/v1/projects/${encodeURIComponent(this.projectId)}`
  }

  async init(): Promise<void> {
    const page = await this.client.data<{content: Json[]}>('GET', `${this.base}/sources`, {query: {perPage: 1000}})
    this.sources = new Map(page.content.map((s) => [s.uid, s]))
    const listeners = (await this.client.data<Json[]>('GET', `${this.base}/listeners`).catch(() => [])) ?? []
    const source = this.sourceFilter ? pickSource(page.content, this.sourceFilter) : undefined
    if (this.sourceFilter && !source)
      throw new CaravanError('CARAVAN_ERR_NOT_FOUND', `no source named "${this.sourceFilter}"`, {
        hint: 'list them with: caravan sources list',
      })
    this.resolvedSourceId = source?.uid
    this.listenerTarget = listeners.find((l) => !source || l.source === source.name)?.target
  }

  private resolvedSourceId: string | undefined

  get sourceId(): string | undefined {
    return this.resolvedSourceId
  }

  sourceName = (id: string): string => (id ? (this.sources.get(id)?.name ?? id.slice(-6)) : '')

  sourceNames(): string {
    if (this.sourceFilter) return `source ${this.sourceFilter}`
    const names = [...this.sources.values()].map((s) => s.name)
    return names.length ? `sources ${names.join(', ')}` : 'no sources'
  }

  ingestUrl(e: InspectEvent): string {
    const source = this.sources.get(e.source_id)
    const base = source?.url ?? `${this.client.gateway}/ingest/?`
    return `${base}${e.url_path ?? ''}${e.url_query_params ? `?${e.url_query_params}` : ''}`
  }

  /** The newest `limit` events, oldest first. */
  async recent(limit: number): Promise<InspectEvent[]> {
    const events: InspectEvent[] = []
    let cursor: string | undefined
    // Gateways page at most 1000 at a time: follow the cursor (newest to oldest) for more.
    while (events.length < limit) {
      const page = await this.client.data<{
        content: InspectEvent[]
        pagination?: {has_next_page: boolean; next_page_cursor: string}
      }>('GET', `${this.base}/events`, {
        query: {
          perPage: Math.min(limit - events.length, 1000),
          sourceId: this.sourceId,
          direction: cursor && 'next',
          next_page_cursor: cursor,
        },
      })
      events.push(...page.content)
      if (!page.pagination?.has_next_page || page.content.length === 0) break
      cursor = page.pagination.next_page_cursor
    }
    return events.slice(0, limit).reverse()
  }

  async deliveries(eventId: string): Promise<InspectDelivery[]> {
    const page = await this.client.data<{content: Json[]}>('GET', `${this.base}/eventdeliveries`, {
      query: {eventId, perPage: 100, sort: 'ASC'},
    })
    return Promise.all(
      page.content.map(async (d) => ({
        uid: d.uid,
        status: d.status,
        endpoint: d.endpoint_metadata?.name ?? d.endpoint_id,
        description: d.description ?? '',
        attempts: ((await this.client.data<InspectAttempt[]>(
          'GET',
          `${this.base}/eventdeliveries/${d.uid}/deliveryattempts`,
        )) ?? []) as InspectAttempt[],
      })),
    )
  }

  /** Live events and delivery updates over the relay's feed, reconnecting with backoff. */
  subscribe(handlers: {
    event: (e: InspectEvent) => void
    delivery: (u: DeliveryUpdate) => void
    connection: (state: 'live' | 'reconnecting') => void
  }): Subscription {
    let closed = false
    let attempt = 0
    let ws: WebSocket | undefined
    let timer: NodeJS.Timeout | undefined
    const url = `${this.client.gateway.replace(/^http/, 'ws')}${this.base}/feed${this.sourceId ? `?source=${encodeURIComponent(this.sourceId)}` : ''}`
    const connect = async () => {
      // ws is loaded here, after the first frame is drawn, not at start-up.
      const {default: WebSocketClient} = await import('ws')
      if (closed) return
      ws = new WebSocketClient(url, {headers: this.apiKey ? {authorization: `Bearer ${this.apiKey}`} : {}})
      ws.on('open', () => {
        attempt = 0
        handlers.connection('live')
      })
      ws.on('message', (data) => {
        let frame: Json
        try {
          frame = JSON.parse(data.toString()) as Json
        } catch {
          return
        }
        if (frame.type === 'event') handlers.event(frame.event as InspectEvent)
        if (frame.type === 'delivery') {
          const status = frame.attempt?.http_status
            ? Number(frame.attempt.http_status)
            : frame.attempt
              ? null
              : undefined
          handlers.delivery({
            eventId: frame.delivery.event_id,
            status: frame.delivery.status,
            attempts: frame.delivery.attempts,
            responseStatus: status,
            latencyMs: frame.attempt?.latency_ms,
          })
        }
      })
      ws.on('error', () => undefined)
      ws.on('close', () => {
        if (closed) return
        handlers.connection('reconnecting')
        const delays = this.reconnectDelaysMs
        timer = setTimeout(() => void connect(), delays[Math.min(attempt++, delays.length - 1)])
      })
    }
    void connect()
    return {
      close: () => {
        closed = true
        if (timer) clearTimeout(timer)
        ws?.close()
      },
    }
  }

  /** Replay to the running listener's target (or the one given), optionally edited. */
  async replay(eventId: string, edited?: {headers: Record<string, string[]>; body: Buffer}): Promise<string> {
    // Loaded on first replay: it brings the HTTP client for the app, which the view does not need to start.
    const {replayStoredEvent} = await import('../client/replay.js')
    // An edited request is sent as edited: headers removed in the editor stay removed.
    const outcome = await replayStoredEvent(this.client, this.projectId, {
      ref: eventId,
      forward: this.listenerTarget,
      data: edited?.body,
      replaceHeaders: edited?.headers,
    })
    const r = outcome.result
    const result = r.status === null ? `failed: ${r.error}` : `HTTP ${r.status} in ${r.latencyMs} ms`
    return `replayed ${eventId} to ${outcome.target}: ${result}${outcome.resigned ? ' (re-signed)' : ''}${outcome.notes.length ? ` — ${outcome.notes[0]}` : ''}`
  }
}
