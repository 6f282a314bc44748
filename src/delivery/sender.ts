import {Agent, request} from 'undici'

import type {Headers} from '../store/types.js'
import {describeNetworkError, headerLists, readLimited, RESPONSE_BODY_LIMIT} from '../util/http-response.js'
import type {OutgoingRequest} from './request-builder.js'
import {guardedLookup, type SsrfGuard, TargetRefusedError} from './ssrf-guard.js'

/** Response bodies are kept for debugging, up to this size. */
export {RESPONSE_BODY_LIMIT}

export interface SendResult {
  status: number | null
  headers: Headers | null
  body: Buffer | null
  latencyMs: number
  error: string
  outcome:
    {kind: 'http'; status: number; retryAfter?: string | null} | {kind: 'timeout'} | {kind: 'network'; code?: string}
}

/**
 * Sends delivery requests over pooled keep-alive connections. Redirects are not followed
 * (a 3xx is a failed attempt) and every attempt has the endpoint's timeout.
 */
export class Sender {
  private readonly agent: Agent

  constructor(
    private readonly guard: SsrfGuard,
    connectionsPerOrigin = 16,
  ) {
    this.agent = new Agent({
      connections: connectionsPerOrigin,
      keepAliveTimeout: 10_000,
      connect: {lookup: guardedLookup(guard) as never},
    })
  }

  async send(req: OutgoingRequest, timeoutMs: number): Promise<SendResult> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    try {
      await this.guard.check(req.url)
      const response = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.agent,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
      })
      const body = await readLimited(response.body, RESPONSE_BODY_LIMIT)
      const headers = headerLists(response.headers as Record<string, string | string[] | undefined>)
      const retryAfter = headers['retry-after']?.[0] ?? null
      return {
        status: response.statusCode,
        headers,
        body,
        latencyMs: elapsed(),
        error: '',
        outcome: {kind: 'http', status: response.statusCode, retryAfter},
      }
    } catch (error) {
      const latencyMs = elapsed()
      if (error instanceof TargetRefusedError || (error as {cause?: unknown}).cause instanceof TargetRefusedError) {
        const message = error instanceof TargetRefusedError ? error.message : (error as {cause: Error}).cause.message
        return {
          status: null,
          headers: null,
          body: null,
          latencyMs,
          error: message,
          outcome: {kind: 'network', code: 'REFUSED'},
        }
      }
      const name = (error as {name?: string; code?: string}).name
      const code = (error as {code?: string}).code
      if (
        name === 'TimeoutError' ||
        name === 'AbortError' ||
        code === 'UND_ERR_HEADERS_TIMEOUT' ||
        code === 'UND_ERR_BODY_TIMEOUT'
      ) {
        return {
          status: null,
          headers: null,
          body: null,
          latencyMs,
          error: `timed out after ${timeoutMs / 1000}s`,
          outcome: {kind: 'timeout'},
        }
      }
      const described = describeNetworkError(error)
      return {
        status: null,
        headers: null,
        body: null,
        latencyMs,
        error: described.message,
        outcome: {kind: 'network', code: described.code},
      }
    }
  }

  async close(): Promise<void> {
    await this.agent.close()
  }

  /** Drop every connection now; requests still in flight fail. */
  async destroy(): Promise<void> {
    await this.agent.destroy()
  }
}
