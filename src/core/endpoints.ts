import {createPrivateKey, randomBytes, X509Certificate} from 'node:crypto'

import {badRequest, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {endpoints} from '../store/resources.js'
import type {Endpoint, EndpointAuthentication, EndpointStatus, MtlsClientCert, OAuth2Config} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {MAX_IN_FLIGHT_PER_ENDPOINT} from './delivery-limits.js'
import {Input} from './input.js'

export const DEFAULT_HTTP_TIMEOUT = 30
export const DEFAULT_RATE_LIMIT = 5000
export const DEFAULT_RATE_LIMIT_DURATION = 60

export function newSecretValue(): string {
  return randomBytes(24).toString('base64url')
}

function readAuthentication(input: Input | undefined): EndpointAuthentication | null | undefined {
  if (!input) return undefined
  const type = input.str('type', {
    required: true,
    oneOf: ['api_key', 'basic_auth', 'oauth2'],
  }) as EndpointAuthentication['type']
  if (type === 'oauth2') {
    const oauth2 = input.obj_('oauth2')
    if (!oauth2) throw badRequest(`${input.field('oauth2')} is required when type is oauth2`)
    return {type, oauth2: readOAuth2(oauth2)}
  }
  if (type === 'api_key') {
    const key = input.obj_('api_key')
    if (!key) throw badRequest(`${input.field('api_key')} is required when type is api_key`)
    return {
      type,
      api_key: {
        header_name: key.str('header_name', {required: true}),
        header_value: key.str('header_value', {required: true}),
      },
    }
  }
  const basic = input.obj_('basic_auth')
  if (!basic) throw badRequest(`${input.field('basic_auth')} is required when type is basic_auth`)
  return {
    type,
    basic_auth: {username: basic.str('username', {required: true}), password: basic.str('password', {required: true})},
  }
}

const EXPIRY_UNITS = ['seconds', 'milliseconds', 'minutes', 'hours'] as const

/** Convoy's OAuth2 settings; Caravan fetches client-credentials tokens with a shared secret. */
export function readOAuth2(input: Input): OAuth2Config {
  const authType = input.str('authentication_type') ?? 'shared_secret'
  if (authType !== 'shared_secret')
    throw badRequest(
      `${input.field('authentication_type')}: "${authType.slice(0, 50)}" is not supported by Caravan (only shared_secret)`,
    )
  const grant = input.str('grant_type') ?? 'client_credentials'
  if (grant !== 'client_credentials')
    throw badRequest(`${input.field('grant_type')}: only client_credentials is supported (got "${grant.slice(0, 50)}")`)
  const mapping = input.obj_('field_mapping')
  const config: OAuth2Config = {
    url: input.url('url', {required: true}),
    client_id: input.str('client_id', {required: true, max: 1000}),
    client_secret: input.str('client_secret', {required: true, max: 4000}),
    grant_type: 'client_credentials',
    authentication_type: 'shared_secret',
    scope: input.str('scope', {max: 2000}),
    audience: input.str('audience', {max: 2000}),
    expiry_time_unit: input.str('expiry_time_unit', {oneOf: EXPIRY_UNITS}) as OAuth2Config['expiry_time_unit'],
    field_mapping: mapping && {
      access_token: mapping.str('access_token', {max: 200}),
      token_type: mapping.str('token_type', {max: 200}),
      expires_in: mapping.str('expires_in', {max: 200}),
    },
  }
  return JSON.parse(JSON.stringify(config)) as OAuth2Config
}

/**
 * A PEM certificate and its private key, checked to be usable together now. Responses never
 * show the key, so an update that repeats the stored certificate without a key keeps it.
 */
function readMtls(input: Input, base: MtlsClientCert | null): MtlsClientCert | null {
  if (!input.has('client_cert') && !input.has('client_key')) return null
  const cert = input.str('client_cert', {required: true, max: 65_536})
  const given = input.str('client_key', {max: 65_536})
  const key = given ?? (base?.client_cert === cert ? base.client_key : undefined)
  if (key === undefined) throw badRequest(`${input.field('client_key')} is required`)
  let x509: X509Certificate
  try {
    x509 = new X509Certificate(cert)
  } catch (error) {
    throw badRequest(`${input.field('client_cert')} is not a PEM certificate: ${(error as Error).message}`)
  }
  let privateKey
  try {
    privateKey = createPrivateKey(key)
  } catch (error) {
    throw badRequest(`${input.field('client_key')} is not a PEM private key: ${(error as Error).message}`)
  }
  if (!x509.checkPrivateKey(privateKey))
    throw badRequest(`${input.field('client_key')} does not belong to ${input.field('client_cert')}`)
  if (Date.parse(x509.validTo) < Date.now())
    throw badRequest(`${input.field('client_cert')} expired on ${new Date(x509.validTo).toISOString()}`)
  return {client_cert: cert, client_key: key}
}

/** Fields shared by create and update; `base` supplies what the body leaves out. */
function readEndpointFields(input: Input, base: Endpoint): Endpoint {
  const disabled = input.bool('is_disabled')
  return {
    ...base,
    name: input.str('name', {max: 200}) ?? base.name,
    url: input.url('url') ?? base.url,
    description: input.str('description', {max: 2000}) ?? base.description,
    owner_id: input.str('owner_id', {max: 200}) ?? base.owner_id,
    http_timeout: input.int('http_timeout', {min: 1, max: 300}) ?? base.http_timeout,
    rate_limit: input.int('rate_limit', {min: 0}) ?? base.rate_limit,
    rate_limit_duration: input.int('rate_limit_duration', {min: 1}) ?? base.rate_limit_duration,
    max_in_flight:
      input.raw('max_in_flight') === null
        ? null
        : (input.int('max_in_flight', {min: 1, max: MAX_IN_FLIGHT_PER_ENDPOINT}) ?? base.max_in_flight),
    advanced_signatures: input.bool('advanced_signatures') ?? base.advanced_signatures,
    content_type: input.str('content_type', {max: 200}) ?? base.content_type,
    slack_webhook_url: input.has('slack_webhook_url') ? (input.url('slack_webhook_url') ?? '') : base.slack_webhook_url,
    support_email: input.str('support_email', {max: 320}) ?? base.support_email,
    authentication: readAuthentication(input.obj_('authentication')) ?? base.authentication,
    mtls_client_cert:
      input.raw('mtls_client_cert') === null
        ? null
        : (() => {
            const mtls = input.obj_('mtls_client_cert')
            return mtls ? readMtls(mtls, base.mtls_client_cert) : base.mtls_client_cert
          })(),
    status: disabled === undefined ? base.status : disabled ? 'inactive' : 'active',
  }
}

/** A new endpoint with every default filled in; `fields` override them. */
export function newEndpointRecord(projectId: string, fields: Partial<Endpoint> & Pick<Endpoint, 'kind'>): Endpoint {
  const now = nowIso()
  return {
    id: ulid(),
    project_id: projectId,
    name: '',
    url: '',
    description: '',
    owner_id: '',
    status: 'active',
    secrets: [],
    http_timeout: DEFAULT_HTTP_TIMEOUT,
    rate_limit: DEFAULT_RATE_LIMIT,
    rate_limit_duration: DEFAULT_RATE_LIMIT_DURATION,
    max_in_flight: null,
    authentication: null,
    mtls_client_cert: null,
    advanced_signatures: false,
    content_type: 'application/json',
    slack_webhook_url: '',
    support_email: '',
    created_at: now,
    updated_at: now,
    ...fields,
  }
}

/** Refuses URLs the relay may not call (the SSRF guard on a public relay); null means allowed. */
export interface TargetCheck {
  refuseUrl(url: string): string | null
}

/** On a public relay, private targets are refused when saved, not only when sent to. */
function checkTargets(endpoint: Endpoint, targets: TargetCheck | undefined): void {
  if (!targets) return
  for (const field of ['url', 'slack_webhook_url'] as const) {
    const reason = endpoint[field] ? targets.refuseUrl(endpoint[field]) : null
    if (reason) throw badRequest(`${field}: ${reason}`)
  }
  const tokenUrl = endpoint.authentication?.oauth2?.url
  const reason = tokenUrl ? targets.refuseUrl(tokenUrl) : null
  if (reason) throw badRequest(`authentication.oauth2.url: ${reason}`)
}

export function createEndpoint(db: Db, projectId: string, body: unknown, targets?: TargetCheck): Endpoint {
  const input = Input.of(body)
  input.str('name', {required: true})
  input.url('url', {required: true})
  const now = nowIso()
  const secret = input.str('secret', {max: 500}) ?? newSecretValue()
  const base = newEndpointRecord(projectId, {
    kind: 'http',
    secrets: [{uid: ulid(), value: secret, created_at: now, updated_at: now, expires_at: null}],
  })
  const endpoint = readEndpointFields(input, base)
  checkTargets(endpoint, targets)
  return endpoints.insert(db, endpoint)
}

export function requireEndpoint(db: Db, projectId: string, id: string): Endpoint {
  const endpoint = endpoints.get(db, projectId, id)
  if (!endpoint) throw notFound(`endpoint ${id}`)
  return endpoint
}

export function updateEndpoint(db: Db, projectId: string, id: string, body: unknown, targets?: TargetCheck): Endpoint {
  const current = requireEndpoint(db, projectId, id)
  const input = Input.of(body)
  const next = readEndpointFields(input, current)
  // Only a changed URL is judged: an endpoint saved before the relay went public can still be edited.
  checkTargets(
    {
      ...next,
      url: next.url === current.url ? '' : next.url,
      slack_webhook_url: next.slack_webhook_url === current.slack_webhook_url ? '' : next.slack_webhook_url,
    },
    targets,
  )
  const secret = input.str('secret', {max: 500})
  if (secret !== undefined && !current.secrets.some((s) => s.value === secret && s.expires_at === null)) {
    // A new secret replaces the live one at once; use expire_secret to rotate with overlap.
    const now = nowIso()
    next.secrets = [
      ...current.secrets.filter((s) => s.expires_at !== null),
      {uid: ulid(), value: secret, created_at: now, updated_at: now, expires_at: null},
    ]
  }
  return endpoints.update(db, {...next, updated_at: nowIso()})
}

export function setEndpointStatus(db: Db, endpoint: Endpoint, status: EndpointStatus): Endpoint {
  return endpoints.update(db, {...endpoint, status, updated_at: nowIso()})
}

/** Convoy's pause toggles between paused and active. */
export function togglePause(db: Db, projectId: string, id: string): Endpoint {
  const endpoint = requireEndpoint(db, projectId, id)
  return setEndpointStatus(db, endpoint, endpoint.status === 'paused' ? 'active' : 'paused')
}

export function activateEndpoint(db: Db, projectId: string, id: string): Endpoint {
  return setEndpointStatus(db, requireEndpoint(db, projectId, id), 'active')
}

export function deleteEndpoint(db: Db, projectId: string, id: string): void {
  // As in Convoy, the endpoint's subscriptions go with it: left behind, they would keep
  // routing broadcast events to an endpoint that no longer exists.
  db.transaction(() => {
    if (!endpoints.remove(db, projectId, id)) throw notFound(`endpoint ${id}`)
    db.prepare(
      `UPDATE subscriptions SET deleted_at = ? WHERE project_id = ? AND endpoint_id = ? AND deleted_at IS NULL`,
    ).run(nowIso(), projectId, id)
  })()
}

export function listEndpoints(
  db: Db,
  projectId: string,
  page: PageQuery,
  filter: {q?: string; ownerId?: string; kind?: string},
) {
  // Listener (cli) endpoints are Caravan's own plumbing; list them only when asked.
  const where = ['project_id = ?', 'kind = ?']
  const params: unknown[] = [projectId, filter.kind === 'cli' ? 'cli' : 'http']
  if (filter.q) {
    where.push(`name LIKE ? ESCAPE '\\'`)
    params.push(`%${filter.q.replace(/[\\%_]/g, (c) => '\\' + c)}%`)
  }
  if (filter.ownerId) {
    where.push('owner_id = ?')
    params.push(filter.ownerId)
  }
  return endpoints.page(db, where, params, page)
}

/**
 * Rotate the signing secret: the live one keeps signing for `expiration` hours beside
 * the new one (given or generated), so receivers can switch without dropping events.
 */
export function expireSecret(db: Db, projectId: string, id: string, body: unknown, now = Date.now()): Endpoint {
  const endpoint = requireEndpoint(db, projectId, id)
  const input = Input.of(body)
  const hours = input.int('expiration', {min: 0, max: 720}) ?? 0
  const expiresAt = new Date(now + hours * 3_600_000).toISOString()
  const created = nowIso(now)
  const value = input.str('secret', {max: 500}) ?? newSecretValue()
  if (endpoint.secrets.some((s) => s.value === value))
    throw badRequest('secret: the new secret must differ from the current ones')
  const secrets = endpoint.secrets.map((s) =>
    s.expires_at === null || Date.parse(s.expires_at) > now + hours * 3_600_000
      ? {...s, expires_at: expiresAt, updated_at: created}
      : s,
  )
  secrets.push({uid: ulid(now), value, created_at: created, updated_at: created, expires_at: null})
  return endpoints.update(db, {...endpoint, secrets, updated_at: created})
}
