/**
 * The listener stream protocol (documented in docs/stream-protocol.md): JSON text frames
 * over a WebSocket at /api/v1/projects/{projectID}/stream?listener=<id>.
 */
export const STREAM_PROTOCOL_VERSION = 1

/** Gateway → listener: one event to forward. `cursor` is the delivery id. */
export interface EventFrame {
  type: 'event'
  cursor: string
  delivery_id: string
  attempt: number
  event: {
    id: string
    event_type: string
    method: string
    path: string
    query: string
    headers: Record<string, string[]>
    body_base64: string
    created_at: string
    source_id: string
  }
}

export interface HelloFrame {
  type: 'hello'
  version: number
  listener_id: string
  source: {id: string; name: string; url: string}
  backlog: number
}

export interface ErrorFrame {
  type: 'error'
  message: string
}

/** Listener → gateway: the outcome of forwarding one event; `final` ends that delivery. */
export interface ResultFrame {
  type: 'result'
  delivery_id: string
  final: boolean
  status: number | null
  headers?: Record<string, string[]>
  body_base64?: string
  latency_ms: number
  error?: string
  url?: string
  request_headers?: Record<string, string>
}

export type ServerFrame = EventFrame | HelloFrame | ErrorFrame

export function parseResultFrame(text: string): ResultFrame | string {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return 'frame is not JSON'
  }
  const f = value as Partial<ResultFrame>
  if (!f || typeof f !== 'object' || f.type !== 'result') return 'expected a frame of type "result"'
  if (typeof f.delivery_id !== 'string') return 'result.delivery_id must be a string'
  if (typeof f.final !== 'boolean') return 'result.final must be true or false'
  if (f.status !== null && (typeof f.status !== 'number' || !Number.isInteger(f.status)))
    return 'result.status must be an integer or null'
  if (typeof f.latency_ms !== 'number') return 'result.latency_ms must be a number'
  return f as ResultFrame
}
