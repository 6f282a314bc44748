import {Agent, request} from 'undici'

import {describeNetworkError, headerLists, readLimited, RESPONSE_BODY_LIMIT} from '../util/http-response.js'

/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones the new connection sets itself. */
const DROP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
])

export interface ForwardRequest {
  url: string
  method: string
  headers: Record<string, string[]>
  body: Buffer
  extraHeaders?: Record<string, string>
  timeoutMs?: number
}

export interface ForwardResult {
  status: number | null
  headers: Record<string, string[]> | null
  body: Buffer | null
  latencyMs: number
  error: string
  /** The app could not be reached at all (connection refused, DNS, reset): wait for it. */
  unreachable: boolean
  requestHeaders: Record<string, string>
}

export function forwardHeaders(
  headers: Record<string, string[]>,
  extra: Record<string, string> = {},
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [name, values] of Object.entries(headers)) {
    if (DROP.has(name.toLowerCase())) continue
    out[name] = values.length === 1 ? values[0] : values
  }
  for (const [name, value] of Object.entries(extra)) out[name.toLowerCase()] = value
  return out
}

/**
 * Replays one stored request against the developer's app: same method, headers (minus
 * hop-by-hop) and the body byte for byte, so the app's own signature check passes.
 */
export class Forwarder {
  private readonly agent = new Agent({keepAliveTimeout: 5_000, connections: 8})

  async forward(req: ForwardRequest): Promise<ForwardResult> {
    const headers = forwardHeaders(req.headers, req.extraHeaders)
    const requestHeaders = Object.fromEntries(
      Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
    )
    const started = performance.now()
    const latency = () => Math.round(performance.now() - started)
    try {
      const response = await request(req.url, {
        method: req.method as 'POST',
        headers,
        body: req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body,
        dispatcher: this.agent,
        headersTimeout: req.timeoutMs ?? 30_000,
        bodyTimeout: req.timeoutMs ?? 30_000,
      })
      const body = await readLimited(response.body, RESPONSE_BODY_LIMIT)
      return {
        status: response.statusCode,
        headers: headerLists(response.headers as Record<string, string | string[] | undefined>),
        body,
        latencyMs: latency(),
        error: '',
        unreachable: false,
        requestHeaders,
      }
    } catch (error) {
      const {message: described, code} = describeNetworkError(error)
      const timeoutMs = req.timeoutMs ?? 30_000
      const message =
        code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT'
          ? `timed out after ${timeoutMs >= 1000 ? `${timeoutMs / 1000}s` : `${timeoutMs}ms`}`
          : described
      const unreachable = [
        'ECONNREFUSED',
        'ENOTFOUND',
        'EAI_AGAIN',
        'UND_ERR_CONNECT_TIMEOUT',
        'EHOSTUNREACH',
        'ECONNRESET',
        'UND_ERR_SOCKET',
      ].includes(code)
      return {
        status: null,
        headers: null,
        body: null,
        latencyMs: latency(),
        error: message,
        unreachable,
        requestHeaders,
      }
    }
  }

  async close(): Promise<void> {
    await this.agent.close()
  }
}
