import {MAX_IN_FLIGHT_PER_ENDPOINT} from '../core/delivery-limits.js'
import {createHash} from 'node:crypto'
import {rootCertificates} from 'node:tls'

import {Agent, request} from 'undici'

import type {Headers, MtlsClientCert, OAuth2Config} from '../store/types.js'
import {describeNetworkError, headerLists, readLimited, RESPONSE_BODY_LIMIT} from '../util/http-response.js'
import type {OutgoingRequest} from './request-builder.js'
import {OAuth2Error, type OAuth2Token, requestToken, TokenCache} from './oauth2.js'
import {guardedLookup, type SsrfGuard, TargetRefusedError} from './ssrf-guard.js'

/** Token responses are small; anything bigger is not one. */
const TOKEN_BODY_LIMIT = 64 * 1024
const TOKEN_TIMEOUT_MS = 10_000

export interface SenderOptions {
  /** Extra CA certificates (PEM) trusted besides the system's, e.g. a private CA of the endpoints. */
  ca?: string[]
}

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
  /** One pool per client certificate (mTLS endpoints), keyed by the certificate and key. */
  private readonly tlsAgents = new Map<string, Agent>()
  private readonly tokens: TokenCache
  private readonly ca?: string[]

  constructor(
    private readonly guard: SsrfGuard,
    // Enough for the largest per-endpoint cap; connections open only as requests need them.
    private readonly connectionsPerOrigin = MAX_IN_FLIGHT_PER_ENDPOINT,
    options: SenderOptions = {},
  ) {
    this.ca = options.ca?.length ? [...rootCertificates, ...options.ca] : undefined
    this.agent = this.newAgent()
    this.tokens = new TokenCache((url, form) => this.postForm(url, form))
  }

  private newAgent(tls?: MtlsClientCert): Agent {
    return new Agent({
      connections: this.connectionsPerOrigin,
      keepAliveTimeout: 10_000,
      connect: {
        lookup: guardedLookup(this.guard) as never,
        ...(this.ca ? {ca: this.ca} : {}),
        ...(tls ? {cert: tls.client_cert, key: tls.client_key} : {}),
      },
    })
  }

  private agentFor(tls: MtlsClientCert | undefined): Agent {
    if (!tls) return this.agent
    const key = createHash('sha256').update(tls.client_cert).update('\0').update(tls.client_key).digest('hex')
    let agent = this.tlsAgents.get(key)
    if (!agent) this.tlsAgents.set(key, (agent = this.newAgent(tls)))
    return agent
  }

  /** A token request: through the same guard as deliveries, bounded in time and size. */
  private async postForm(url: string, form: string): Promise<{status: number; body: Buffer}> {
    await this.guard.check(url)
    const response = await request(url, {
      method: 'POST',
      headers: {'content-type': 'application/x-www-form-urlencoded', accept: 'application/json'},
      body: form,
      dispatcher: this.agent,
      headersTimeout: TOKEN_TIMEOUT_MS,
      bodyTimeout: TOKEN_TIMEOUT_MS,
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    })
    return {status: response.statusCode, body: await readLimited(response.body, TOKEN_BODY_LIMIT)}
  }

  /** Fetch a token now, bypassing the cache (Convoy's oauth2/test). */
  fetchOAuth2Token(config: OAuth2Config): Promise<OAuth2Token> {
    return requestToken(config, (url, form) => this.postForm(url, form))
  }

  async send(req: OutgoingRequest, timeoutMs: number): Promise<SendResult> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    // Set by the request builder when it could not make the request (a transformation failed).
    if (req.failure) return failedBeforeSending(req.failure, elapsed())
    let requestHeaders = req.headers
    if (req.oauth2) {
      try {
        const token = await this.tokens.get(req.oauth2)
        requestHeaders = {...requestHeaders, authorization: `Bearer ${token.accessToken}`}
      } catch (error) {
        if (!(error instanceof OAuth2Error)) throw error
        return failedBeforeSending({message: error.message, code: 'OAUTH2'}, elapsed())
      }
    }
    try {
      await this.guard.check(req.url)
      const response = await request(req.url, {
        method: req.method,
        headers: requestHeaders,
        body: req.body,
        dispatcher: this.agentFor(req.tls),
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
    await Promise.all([this.agent, ...this.tlsAgents.values()].map((a) => a.close()))
  }

  /** Drop every connection now; requests still in flight fail. */
  async destroy(): Promise<void> {
    await Promise.all([this.agent, ...this.tlsAgents.values()].map((a) => a.destroy()))
  }
}

function failedBeforeSending(failure: {message: string; code: string}, latencyMs: number): SendResult {
  return {
    status: null,
    headers: null,
    body: null,
    latencyMs,
    error: failure.message,
    outcome: {kind: 'network', code: failure.code},
  }
}
