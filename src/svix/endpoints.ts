import {randomBytes} from 'node:crypto'

import {
  DEFAULT_RATE_LIMIT,
  DEFAULT_RATE_LIMIT_DURATION,
  newEndpointRecord,
  type TargetCheck,
} from '../core/endpoints.js'
import {HttpError, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {endpoints, subscriptions} from '../store/resources.js'
import type {Endpoint, EndpointSecret, EndpointSvixFields, SvixApp} from '../store/types.js'
import {ulid} from '../util/ulid.js'

/** Svix keeps the old secret valid this long after a rotation. */
export const ROTATION_GRACE_SECONDS = 24 * 3600

/** What EndpointIn / EndpointUpdate / EndpointPatch carry, validated; undefined keeps a field. */
export interface SvixEndpointFields {
  url?: string
  description?: string
  disabled?: boolean
  uid?: string | null
  filterTypes?: string[] | null
  channels?: string[] | null
  metadata?: Record<string, string>
  headers?: Record<string, string>
  rateLimit?: number | null
  secret?: string | null
  version?: number
}

export function newSvixSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`
}

/** Svix stores `whsec_`-prefixed keys; a bare base64 key gets the prefix. `whsk_` (ed25519) is kept as is. */
export function normaliseSecret(secret: string): string {
  return secret.startsWith('whsec_') || secret.startsWith('whsk_') ? secret : `whsec_${secret}`
}

export function liveSecret(endpoint: Endpoint): EndpointSecret | undefined {
  return endpoint.secrets.find((s) => s.expires_at === null)
}

/** An endpoint of `app` by id or uid. */
export function findSvixEndpoint(db: Db, app: SvixApp, idOrUid: string): Endpoint | undefined {
  const byId = endpoints.get(db, app.project_id, idOrUid)
  if (byId) return byId.owner_id === app.id && byId.svix ? byId : undefined
  return endpoints.find(
    db,
    ['project_id = ?', 'owner_id = ?', `json_extract(svix, '$.uid') = ?`],
    [app.project_id, app.id, idOrUid],
  )[0]
}

export function requireSvixEndpoint(db: Db, app: SvixApp, idOrUid: string): Endpoint {
  const endpoint = findSvixEndpoint(db, app, idOrUid)
  if (!endpoint) throw notFound(`endpoint ${idOrUid}`)
  return endpoint
}

function checkUid(db: Db, app: SvixApp, uid: string | null | undefined, self?: string): void {
  if (!uid) return
  const other = findSvixEndpoint(db, app, uid)
  if (other && other.id !== self)
    throw new HttpError(409, `an endpoint with uid ${uid} already exists in this application`)
}

function rateFields(rateLimit: number | null): Pick<Endpoint, 'rate_limit' | 'rate_limit_duration'> {
  return rateLimit
    ? {rate_limit: rateLimit, rate_limit_duration: 1}
    : {rate_limit: DEFAULT_RATE_LIMIT, rate_limit_duration: DEFAULT_RATE_LIMIT_DURATION}
}

function apply(endpoint: Endpoint, fields: SvixEndpointFields): Endpoint {
  const svix: EndpointSvixFields = {...(endpoint.svix as EndpointSvixFields)}
  if (fields.uid !== undefined) svix.uid = fields.uid
  if (fields.filterTypes !== undefined) svix.filterTypes = fields.filterTypes
  if (fields.channels !== undefined) svix.channels = fields.channels
  if (fields.metadata !== undefined) svix.metadata = fields.metadata
  if (fields.headers !== undefined) svix.headers = fields.headers
  if (fields.rateLimit !== undefined) svix.rateLimit = fields.rateLimit
  if (fields.version !== undefined) svix.version = fields.version
  const url = fields.url ?? endpoint.url
  const description = fields.description ?? endpoint.description
  return {
    ...endpoint,
    url,
    description,
    // Convoy's routes and the CLI show a name: the uid, else the description, else the URL.
    name: (svix.uid || description || url).slice(0, 200),
    status: fields.disabled === undefined ? endpoint.status : fields.disabled ? 'inactive' : 'active',
    ...rateFields(svix.rateLimit),
    svix,
  }
}

function checkTarget(endpoint: Endpoint, targets: TargetCheck | undefined): void {
  const reason = targets?.refuseUrl(endpoint.url)
  if (reason) throw new HttpError(400, `url: ${reason}`)
}

/** Routing through the usual path: one subscription per endpoint, filtered by its filterTypes. */
function syncSubscription(db: Db, endpoint: Endpoint): void {
  const eventTypes = endpoint.svix?.filterTypes ?? ['*']
  const now = nowIso()
  const current = subscriptions.find(db, ['project_id = ?', 'endpoint_id = ?'], [endpoint.project_id, endpoint.id])[0]
  const filter = {event_types: eventTypes, filter: {body: {}, headers: {}}}
  if (current) subscriptions.update(db, {...current, filter_config: filter, updated_at: now})
  else
    subscriptions.insert(db, {
      id: ulid(),
      project_id: endpoint.project_id,
      name: `svix endpoint ${endpoint.id}`,
      type: 'api',
      endpoint_id: endpoint.id,
      source_id: null,
      filter_config: filter,
      status: 'active',
      delivery_mode: 'at_least_once',
      rate_limit_config: null,
      function: '',
      created_at: now,
      updated_at: now,
    })
}

export function createSvixEndpoint(
  db: Db,
  app: SvixApp,
  fields: SvixEndpointFields & {url: string},
  targets?: TargetCheck,
): Endpoint {
  return db.transaction(() => {
    checkUid(db, app, fields.uid)
    const now = nowIso()
    const secret = fields.secret ? normaliseSecret(fields.secret) : newSvixSecret()
    const base = newEndpointRecord(app.project_id, {
      kind: 'http',
      owner_id: app.id,
      secrets: [{uid: ulid(), value: secret, created_at: now, updated_at: now, expires_at: null}],
      svix: {uid: null, filterTypes: null, channels: null, metadata: {}, headers: {}, rateLimit: null, version: 1},
    })
    const endpoint = apply(base, fields)
    checkTarget(endpoint, targets)
    endpoints.insert(db, endpoint)
    syncSubscription(db, endpoint)
    return endpoint
  })()
}

export function updateSvixEndpoint(
  db: Db,
  app: SvixApp,
  endpoint: Endpoint,
  fields: SvixEndpointFields,
  targets?: TargetCheck,
): Endpoint {
  return db.transaction(() => {
    if (fields.uid !== undefined) checkUid(db, app, fields.uid, endpoint.id)
    const next = {...apply(endpoint, fields), updated_at: nowIso()}
    if (next.url !== endpoint.url) checkTarget(next, targets)
    endpoints.update(db, next)
    syncSubscription(db, next)
    return next
  })()
}

/** A new secret signs from now on; the old one keeps signing beside it for `graceSeconds`. */
export function rotateSvixSecret(
  db: Db,
  endpoint: Endpoint,
  input: {key?: string; graceSeconds?: number},
  now = Date.now(),
): Endpoint {
  const value = input.key ? normaliseSecret(input.key) : newSvixSecret()
  if (endpoint.secrets.some((s) => s.value === value))
    throw new HttpError(409, 'key: the new secret must differ from the current ones')
  const expiresAt = nowIso(now + (input.graceSeconds ?? ROTATION_GRACE_SECONDS) * 1000)
  const created = nowIso(now)
  const secrets = endpoint.secrets
    .filter((s) => s.expires_at === null || Date.parse(s.expires_at) > now)
    .map((s) => (s.expires_at === null ? {...s, expires_at: expiresAt, updated_at: created} : s))
  secrets.push({uid: ulid(now), value, created_at: created, updated_at: created, expires_at: null})
  return endpoints.update(db, {...endpoint, secrets, updated_at: created})
}

export function listSvixEndpoints(db: Db, app: SvixApp, page: PageQuery) {
  return endpoints.page(db, ['project_id = ?', 'owner_id = ?', 'svix IS NOT NULL'], [app.project_id, app.id], page)
}

/** Svix's delivery counts of an endpoint, optionally within [since, until). */
export function endpointStats(db: Db, endpoint: Endpoint, range: {since?: string; until?: string}) {
  const where = ['endpoint_id = ?']
  const params: unknown[] = [endpoint.id]
  if (range.since) {
    where.push('created_at >= ?')
    params.push(range.since)
  }
  if (range.until) {
    where.push('created_at < ?')
    params.push(range.until)
  }
  const rows = db
    .prepare(`SELECT status, COUNT(*) AS n FROM deliveries WHERE ${where.join(' AND ')} GROUP BY status`)
    .all(...params) as {status: string; n: number}[]
  const count = (...statuses: string[]) => rows.filter((r) => statuses.includes(r.status)).reduce((a, r) => a + r.n, 0)
  return {
    success: count('Success'),
    fail: count('Failure'),
    pending: count('Scheduled', 'Retry'),
    sending: count('Processing'),
    canceled: count('Discarded'),
  }
}
