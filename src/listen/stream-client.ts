import {EventEmitter} from 'node:events'

import WebSocket from 'ws'

import {CaravanError} from '../errors.js'
import type {EventFrame, HelloFrame, ResultFrame} from '../relay/stream-protocol.js'

export interface StreamClientEvents {
  hello: [HelloFrame]
  event: [EventFrame]
  /** Connection news for stderr ("reconnecting in 1s"). */
  status: [string]
  /** Not worth retrying (bad key, unknown listener): listen must stop. */
  fatal: [CaravanError]
  /** A connection attempt failed before opening (e.g. ECONNREFUSED: nothing listens there now). */
  unreachable: [string]
}

/** Reconnect delays: at once, then 100 ms, 1 s, 5 s, 5 s, ... */
export const RECONNECT_DELAYS_MS = [0, 100, 1000, 5000]

/** Above any event frame a gateway sends: a 100 MiB body (the largest source limit) in base64, plus headers. */
const MAX_FRAME_BYTES = 256 * 1024 * 1024

/**
 * The listener side of the stream: one WebSocket to the gateway, heartbeats both ways,
 * and reconnection with backoff. Events it receives are handed on in order.
 */
export class StreamClient extends EventEmitter<StreamClientEvents> {
  private ws: WebSocket | undefined
  private attempt = 0
  private closed = false
  private heartbeat: NodeJS.Timeout | undefined
  private reconnectTimer: NodeJS.Timeout | undefined
  private lastSeen = Date.now()
  /** A hello arrived on some connection: the gateway has applied skip_backlog. */
  private greeted = false

  constructor(
    private readonly opts: {
      url: string
      apiKey?: string
      heartbeatMs?: number
      deadAfterMs?: number
      maxFrameBytes?: number
      /** Drop the queued events on the first connection only: a reconnect must not discard what arrived meanwhile. */
      skipBacklog?: boolean
      /** Runs a reconnect after its delay (default setTimeout); tests see the delays without waiting them out. */
      schedule?: (run: () => void, delayMs: number) => NodeJS.Timeout
    },
  ) {
    super()
  }

  start(): void {
    this.connect()
  }

  private connect(): void {
    if (this.closed) return
    const headers: Record<string, string> = {}
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`
    const maxPayload = this.opts.maxFrameBytes ?? MAX_FRAME_BYTES
    const url =
      this.opts.skipBacklog && !this.greeted
        ? `${this.opts.url}${this.opts.url.includes('?') ? '&' : '?'}skip_backlog=1`
        : this.opts.url
    const ws = new WebSocket(url, {headers, maxPayload, handshakeTimeout: 10_000})
    this.ws = ws
    const tries = this.attempt
    let opened = false
    let oversized = false
    ws.on('open', () => {
      opened = true
      if (this.attempt > 0) this.emit('status', 'reconnected to the gateway')
      this.attempt = 0
      this.lastSeen = Date.now()
      this.startHeartbeat(ws)
    })
    ws.on('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => {
        let message = body
        try {
          message = (JSON.parse(body) as {message?: string}).message ?? body
        } catch {
          // keep the raw text
        }
        const status = res.statusCode ?? 0
        if (status === 401 || status === 403) {
          this.fail(
            new CaravanError('CARAVAN_ERR_UNAUTHORIZED', `the gateway refused the stream: ${message}`, {
              hint: 'check --api-key / CARAVAN_API_KEY or run caravan login',
            }),
          )
        } else if (status === 404) {
          this.fail(
            new CaravanError(
              'CARAVAN_ERR_GATEWAY',
              `the gateway has no listener stream here (${message || 'HTTP 404'}): is it a Caravan relay? (Convoy has no stream; listen needs Caravan)`,
            ),
          )
        } else {
          this.emit('status', `the gateway answered the stream with HTTP ${status}`)
          this.scheduleReconnect()
        }
      })
    })
    ws.on('ping', () => (this.lastSeen = Date.now()))
    ws.on('pong', () => (this.lastSeen = Date.now()))
    ws.on('message', (data) => {
      this.lastSeen = Date.now()
      let frame: {type?: string}
      try {
        frame = JSON.parse(data.toString()) as {type?: string}
      } catch {
        return
      }
      if (frame.type === 'hello') {
        this.greeted = true
        this.emit('hello', frame as HelloFrame)
      } else if (frame.type === 'event') this.emit('event', frame as EventFrame)
      else if (frame.type === 'error') this.emit('status', `gateway: ${(frame as {message?: string}).message}`)
    })
    ws.on('error', (error) => {
      if ((error as {code?: string}).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        oversized = true
        this.emit(
          'status',
          `the gateway sent a frame above this listener's limit of ${maxPayload} bytes; the event stays queued at the gateway`,
        )
        return
      }
      if (!opened && !this.closed) {
        const code = (error as NodeJS.ErrnoException).code ?? error.message
        this.emit('status', `cannot reach the gateway stream: ${code}`)
        this.emit('unreachable', code)
      }
    })
    ws.on('close', (code, reason) => {
      this.stopHeartbeat()
      if (this.closed || this.ws !== ws) return
      if (opened) this.emit('status', `stream closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`)
      if (code === 4000) {
        this.fail(
          new CaravanError('CARAVAN_ERR_CONFIG', 'another caravan listen with the same name took over this listener', {
            hint: 'give each listen its own --name',
          }),
        )
        return
      }
      if (code === 4002) {
        this.fail(
          new CaravanError(
            'CARAVAN_ERR_CONFIG',
            'this listener was removed at the gateway (caravan listeners remove)',
            {
              hint: 'start caravan listen again to register it anew',
            },
          ),
        )
        return
      }
      // The same frame comes again on the next connection: keep backing off, no reconnect storm.
      if (oversized) this.attempt = Math.max(this.attempt, tries)
      this.scheduleReconnect()
    })
  }

  private fail(error: CaravanError): void {
    this.closed = true
    this.ws?.terminate()
    this.emit('fatal', error)
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return
    const delay = RECONNECT_DELAYS_MS[Math.min(this.attempt, RECONNECT_DELAYS_MS.length - 1)]
    this.attempt++
    if (delay > 0) this.emit('status', `reconnecting in ${delay >= 1000 ? `${delay / 1000}s` : `${delay}ms`}`)
    this.reconnectTimer = (this.opts.schedule ?? setTimeout)(() => {
      this.reconnectTimer = undefined
      this.connect()
    }, delay)
  }

  private startHeartbeat(ws: WebSocket): void {
    const every = this.opts.heartbeatMs ?? 10_000
    const deadAfter = this.opts.deadAfterMs ?? 30_000
    const tick = Math.min(every, deadAfter / 3)
    this.heartbeat = setInterval(() => {
      // deadAfter minus one tick: a dead gateway is noticed within deadAfter of last contact.
      if (Date.now() - this.lastSeen > deadAfter - tick) {
        this.emit('status', `no heartbeat from the gateway for ${Math.round(deadAfter / 1000)}s; reconnecting`)
        ws.terminate()
        return
      }
      if (ws.readyState === ws.OPEN) ws.ping()
    }, tick)
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat)
    this.heartbeat = undefined
  }

  /** Try again now rather than after the backoff (the gateway is known to be back). */
  reconnectNow(): void {
    if (this.closed || !this.reconnectTimer) return
    clearTimeout(this.reconnectTimer)
    this.reconnectTimer = undefined
    this.connect()
  }

  send(frame: ResultFrame): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false
    this.ws.send(JSON.stringify(frame))
    return true
  }

  close(): void {
    this.closed = true
    this.stopHeartbeat()
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer)
    this.ws?.close(1000, 'listener stopping')
  }
}
