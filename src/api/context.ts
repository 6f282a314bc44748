import {HttpError} from '../errors.js'
import type {Sandbox} from '../transform/sandbox.js'
import type {Db} from '../store/db.js'
import type {OAuth2Token} from '../delivery/oauth2.js'
import type {Endpoint, MetaEvent, OAuth2Config, Project} from '../store/types.js'
import {DEFAULT_PER_PAGE, MAX_PER_PAGE, type Page, type PageQuery} from '../store/paginate.js'
import type {RelayEvents} from '../relay/relay-events.js'
import type {ListenerInfo} from '../relay/stream-server.js'
import type {ApiRequest} from './router.js'
import type {SvixOperational} from '../svix/operational.js'

/** What every API handler can reach: the store, the relay's public URL and its event seam. */
export interface ApiContext {
  db: Db
  /** Group-committed write: resolves once the work is durable. */
  write: <T>(work: () => T) => Promise<T>
  baseUrl: () => string
  events: RelayEvents
  version: string
  startedAt: number
  /** Caravan: extra facts for /healthz and `caravan status` (listeners etc.). */
  status: () => Record<string, unknown>
  /** Listeners connected over the stream right now. */
  listeners: () => ListenerInfo[]
  /** Refuses endpoint URLs a public relay may not call (null: allowed). Absent: no check. */
  targets?: {refuseUrl(url: string): string | null}
  /** Close an endpoint's circuit breaker (the user re-enabled or recovered it). */
  resetCircuit?: (endpointId: string) => void
  /** The circuit breaker's state for an endpoint (cb_state), null when it has none. */
  circuitState?: (endpoint: Endpoint) => string | null
  /** Close a listener's stream (it was removed); optional for contexts without a stream. */
  dropListener?: (listenerId: string) => void
  /** Send a stored meta event again; absent where nothing sends (then resend answers 501). */
  resendMetaEvent?: (project: Project, id: string) => Promise<MetaEvent>
  /** Fetch an OAuth2 token now (oauth2/test), through the delivery client and its guard. */
  fetchOAuth2Token?: (config: OAuth2Config) => Promise<OAuth2Token>
  /** Where transformation functions are checked and run (a worker thread, off this event loop). */
  sandbox: Sandbox
  /** The Svix API's settings: the project admin keys act on, JWT secret, operational webhooks. */
  svix?: SvixSettings
}

export interface SvixSettings {
  /** The Svix environment of the admin key (which may act on every project). */
  defaultProjectId: string
  /** When set, HS256 JWTs signed with it are accepted as svix-server accepts them. */
  jwtSecret?: string
  operational?: SvixOperational
}

export interface AuthedRequest extends ApiRequest {
  /** null: the admin key (all projects); otherwise the one project the key belongs to. */
  keyProject: string | null
}

export function pageQuery(query: URLSearchParams): PageQuery {
  const perPageRaw = query.get('perPage') ?? query.get('per_page')
  let perPage = DEFAULT_PER_PAGE
  if (perPageRaw !== null && perPageRaw !== '') {
    perPage = Number(perPageRaw)
    if (!Number.isInteger(perPage) || perPage < 1)
      throw new HttpError(400, `perPage must be a positive integer (got "${perPageRaw}")`)
    perPage = Math.min(perPage, MAX_PER_PAGE)
  }
  const sortRaw = (query.get('sort') ?? 'DESC').toUpperCase()
  if (sortRaw !== 'ASC' && sortRaw !== 'DESC')
    throw new HttpError(400, `sort must be ASC or DESC (got "${query.get('sort')}")`)
  const directionRaw = query.get('direction')
  if (directionRaw !== null && directionRaw !== '' && directionRaw !== 'next' && directionRaw !== 'prev') {
    throw new HttpError(400, `direction must be next or prev (got "${directionRaw}")`)
  }
  const prev = query.get('prev_page_cursor')
  const next = query.get('next_page_cursor')
  const direction = directionRaw === 'prev' || (!directionRaw && prev && !next) ? 'prev' : 'next'
  const cursor = (direction === 'prev' ? prev : next) || undefined
  return {perPage, cursor, direction, sort: sortRaw}
}

/** Repeated query parameters, in Convoy's `status=a&status=b` or `status[]=a` forms. */
export function queryList(query: URLSearchParams, name: string): string[] {
  return [...query.getAll(name), ...query.getAll(`${name}[]`)]
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean)
}

export function pageJson<T, U>(page: Page<T>, map: (item: T) => U): {content: U[]; pagination: Page<T>['pagination']} {
  return {content: page.content.map(map), pagination: page.pagination}
}
