import {DEFAULT_GATEWAY} from '../config/paths.js'
import {CaravanError} from '../errors.js'
import {caravanVersion} from '../version.js'
import {requestText, type TextResponse} from './http-text.js'

export interface Envelope<T> {
  status: boolean
  message: string
  data?: T
}

export interface Paged<T> {
  content: T[]
  pagination: {
    per_page: number
    has_next_page: boolean
    has_prev_page: boolean
    next_page_cursor: string
    prev_page_cursor: string
  }
}

export type Query = Record<string, string | number | boolean | string[] | undefined>

/** Convoy dates its API; sending a version keeps response shapes stable across upgrades. */
export const CONVOY_API_VERSION = '2024-04-01'

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  // No connection within the timeout (requestText).
  'ETIMEDOUT',
])

function networkCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as {code?: string}).code
    if (code && NETWORK_CODES.has(code)) return code
    current = (current as {cause?: unknown}).cause ?? (current as {errors?: unknown[]}).errors?.[0]
  }
  return undefined
}

/** A value the user passed that can never name a resource: a usage error (exit 2). */
export function invalidIdError(id: string): CaravanError {
  return new CaravanError(
    'CARAVAN_ERR_USAGE',
    `${JSON.stringify(id)} is not a valid id: an id is one path segment, so it cannot be empty, "." or ".." or contain "/"`,
    {hint: 'pass the uid the gateway printed, e.g. from the list command'},
  )
}

/**
 * Every id reaches the gateway as a path segment here, so this is where ids are checked: a
 * `..` or `%2e%2e` segment would be resolved by URL parsing (here or on the way) and name the
 * parent resource, e.g. `endpoints delete ..` would delete the project.
 */
export function checkPathIds(path: string): void {
  const pathOnly = path.split('?')[0]
  for (const segment of pathOnly.split('/').slice(1)) {
    let decoded = segment
    try {
      decoded = decodeURIComponent(segment)
    } catch {
      // Not our encoding: sent as is, the gateway answers it.
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || decoded.includes('/')) throw invalidIdError(decoded)
  }
}

/** The envelope a Caravan relay answers /healthz with (`message` names it since 0.1.0). */
function isCaravanHealth(envelope: {status?: unknown; message?: unknown} | undefined): boolean {
  return envelope?.status === true && typeof envelope.message === 'string' && /\bCaravan\b/.test(envelope.message)
}

/**
 * The one HTTP client every command uses: talks Convoy's API shape to the local relay, a
 * remote Caravan relay or a Convoy server, and turns failures into domain errors.
 */
export class GatewayClient {
  constructor(
    readonly gateway: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  private downError(code: string): CaravanError {
    const local = this.gateway === DEFAULT_GATEWAY || /^http:\/\/(127\.0\.0\.1|localhost)(:|\/|$)/.test(this.gateway)
    return new CaravanError('CARAVAN_ERR_GATEWAY_DOWN', `the gateway at ${this.gateway} is not reachable (${code})`, {
      hint: local
        ? 'start the local relay with: caravan server'
        : 'check the address (--gateway, CARAVAN_GATEWAY or caravan login)',
    })
  }

  async call<T>(method: string, path: string, opts: {query?: Query; body?: unknown} = {}): Promise<Envelope<T>> {
    checkPathIds(path)
    const url = new URL(`${this.gateway}${path}`)
    for (const [name, value] of Object.entries(opts.query ?? {})) {
      if (value === undefined || value === '') continue
      if (Array.isArray(value)) for (const v of value) url.searchParams.append(name, v)
      else url.searchParams.set(name, String(value))
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': `caravan-cli/${caravanVersion()}`,
      'x-convoy-version': CONVOY_API_VERSION,
    }
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`
    let body: string | undefined
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body)
      headers['content-type'] = 'application/json'
    }
    let response: TextResponse
    try {
      response = await requestText(url, {method, headers, body, timeoutMs: this.timeoutMs})
    } catch (error) {
      const code = networkCode(error)
      if (code) throw this.downError(code)
      if ((error as {code?: string}).code === 'ESOCKETTIMEDOUT') {
        throw new CaravanError(
          'CARAVAN_ERR_TIMEOUT',
          `the gateway at ${this.gateway} did not answer within ${this.timeoutMs / 1000}s`,
        )
      }
      throw new CaravanError('CARAVAN_ERR_GATEWAY', `request to ${url.origin} failed: ${(error as Error).message}`, {
        cause: error,
      })
    }
    const {text, status} = response
    let parsed: Envelope<T> | undefined
    try {
      parsed = text ? (JSON.parse(text) as Envelope<T>) : undefined
    } catch {
      parsed = undefined
    }
    if (!parsed || typeof parsed !== 'object' || typeof parsed.status !== 'boolean') {
      throw new CaravanError(
        'CARAVAN_ERR_GATEWAY',
        `${this.gateway} answered ${method} ${path} with HTTP ${status} and no Convoy-style JSON: is it a Caravan or Convoy gateway?`,
      )
    }
    if (status >= 200 && status < 300) return parsed
    const message = parsed.message || `HTTP ${status}`
    if (status === 401 || status === 403) {
      throw new CaravanError('CARAVAN_ERR_UNAUTHORIZED', `the gateway refused the API key: ${message}`, {
        hint: 'pass --api-key, set CARAVAN_API_KEY or run caravan login',
      })
    }
    if (status === 404) throw new CaravanError('CARAVAN_ERR_NOT_FOUND', message)
    if (status >= 400 && status < 500) throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', message)
    throw new CaravanError('CARAVAN_ERR_GATEWAY', `the gateway failed (HTTP ${status}): ${message}`)
  }

  async data<T>(method: string, path: string, opts: {query?: Query; body?: unknown} = {}): Promise<T> {
    const envelope = await this.call<T>(method, path, opts)
    return envelope.data as T
  }

  /**
   * Liveness probe that needs no API key: Caravan's /healthz, else Convoy's /health.
   * `caravan` tells a Caravan relay (it answers /healthz) from another Convoy-compatible
   * server, for the features only Caravan has (listen, inspect, replay).
   */
  async health(): Promise<{
    ok: boolean
    caravan: boolean
    version?: string
    detail?: Record<string, unknown>
    error?: string
    /** Something answers there, but it is no Caravan relay and no Convoy server. */
    foreign?: boolean
    /** A Caravan relay that is up but whose store cannot take writes (disk full, locked): why. */
    storeFailing?: string
  }> {
    // What the probes found when neither says "up": the /healthz answer of something that is
    // not a relay says more than the /health 404 after it.
    let notRelay: string | undefined
    let error: string | undefined
    for (const path of ['/healthz', '/health']) {
      try {
        const {status, text} = await requestText(new URL(`${this.gateway}${path}`), {timeoutMs: 3000})
        let envelope: {status?: unknown; message?: unknown; data?: Record<string, unknown>} | undefined
        try {
          envelope = JSON.parse(text) as typeof envelope
        } catch {
          envelope = undefined
        }
        const detail = envelope?.data ?? undefined
        if (path === '/healthz' && status === 200) {
          // Many apps answer /healthz: only a Caravan relay's own answer counts as one.
          if (isCaravanHealth(envelope))
            return {ok: true, caravan: true, version: detail?.version as string | undefined, detail}
          notRelay = `HTTP 200 from /healthz, but not a Caravan relay's answer`
          continue
        }
        // A relay whose store fails answers 503 with its own envelope: up, but degraded.
        const store = detail?.store as {status?: unknown; reason?: unknown; code?: unknown} | undefined
        if (
          path === '/healthz' &&
          status === 503 &&
          /\bCaravan\b/.test(String(envelope?.message)) &&
          store?.status === 'failing'
        )
          return {
            ok: true,
            caravan: true,
            version: detail?.version as string | undefined,
            detail,
            storeFailing: `${String(store.reason ?? 'store failing')}${store.code ? ` (${String(store.code)})` : ''}`,
          }
        // Convoy answers its envelope; an app that answers 200 to every path is no gateway.
        if (status === 200 && typeof envelope?.status === 'boolean')
          return {ok: true, caravan: false, version: detail?.version as string | undefined, detail}
        if (status === 200) {
          notRelay ??= `HTTP 200 from ${path}, but not a Caravan relay's or Convoy's answer`
          continue
        }
        error = notRelay ?? `HTTP ${status} from ${path}`
      } catch (failure) {
        // Not reachable at all: no point trying the other path.
        return {ok: false, caravan: false, error: networkCode(failure) ?? (failure as Error).message}
      }
    }
    return {ok: false, caravan: false, error: error ?? notRelay, ...(notRelay ? {foreign: true} : {})}
  }
}
