import {createHash} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {specPathFor, validateRequest, validateResponse} from './openapi.js'

/**
 * A fake Convoy server for contract tests: it knows nothing but Convoy's OpenAPI spec
 * (test/fixtures/reference/convoy-openapi3.json). Every request is checked against the spec —
 * route (method + path template), path and query parameters (unknown ones, enum values,
 * types, required ones), the `Authorization: Bearer CO.…` and `X-Convoy-Version` headers and
 * the JSON body against the requestBody schema — plus a few checks Convoy's own validators
 * make that the spec cannot express (CONVOY_RULES, each naming its source). Each problem is
 * recorded as a violation. Answers are generated from the success response schema of the
 * operation (deterministic: the same request gets the same answer) and checked with
 * `validateResponse` before they are sent, so the fake cannot drift from the spec.
 *
 * Not in the spec, served anyway: `GET /health` (Convoy's liveness route, outside `/api`)
 * answers 200; `GET /healthz` (Caravan's) answers 404. Both are recorded as probes, never as
 * violations: `caravan status` and the Caravan-only commands probe them on purpose.
 */

const SPEC_URL = new URL('../fixtures/reference/convoy-openapi3.json', import.meta.url)

type Json = Record<string, unknown>
type Schema = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  schema?: Schema
}

interface Operation {
  parameters?: Parameter[]
  requestBody?: {required?: boolean; content?: Record<string, {schema?: Schema}>}
  responses: Record<string, {content?: Record<string, {schema?: Schema}>}>
  security?: unknown[]
}

interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: {schemas: Record<string, Schema>}
}

let specCache: Spec | undefined
function spec(): Spec {
  specCache ??= JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Spec
  return specCache
}

export function operation(method: string, template: string): Operation | undefined {
  return spec().paths[template]?.[method.toLowerCase()]
}

/** Every `METHOD /template` the spec documents. */
export function allOperations(): {method: string; template: string}[] {
  return Object.entries(spec().paths).flatMap(([template, ops]) =>
    Object.keys(ops).map((m) => ({method: m.toUpperCase(), template})),
  )
}

const refName = (ref: string): string => ref.replace(/^#\/components\/schemas\//, '')

function deref(schema: Schema | undefined): {schema: Schema | undefined; name?: string} {
  if (!schema?.$ref) return {schema}
  const name = refName(schema.$ref)
  return {schema: spec().components.schemas[name], name}
}

// ---------------------------------------------------------------- response generation

export type Nullables = 'value' | 'null'

export interface GenerateContext {
  /** 'value': every field filled (but deleted_at/expires_at); 'null': every nullable field null. */
  nullables: Nullables
  /** Seed for ids: the operation and the page, so one request always gets the same answer. */
  seed: string
  projectId?: string
  /** The id in the request path (`/endpoints/{endpointID}`): echoed as `data.uid`. */
  resourceId?: string
  perPage?: number
}

/** Enum values a real Convoy answer would carry (else the first non-empty value). */
const ENUM_PICK: Record<string, string> = {
  'datastore.EventDeliveryStatus': 'Success',
  'datastore.EventStatus': 'Success',
  'datastore.EndpointStatus': 'active',
  'datastore.ProjectType': 'outgoing',
  'datastore.SourceType': 'http',
  'datastore.SourceProvider': 'github',
  'datastore.VerifierType': 'hmac',
  'datastore.EndpointAuthenticationType': 'api_key',
  'auth.RoleType': 'project_admin',
}

/** Nullable fields a live resource has as null even in 'value' mode. */
const NULL_IN_LIFE = new Set(['deleted_at', 'expires_at'])

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'

/** A ULID-looking id (`01H…`, 26 chars), fixed for a given seed. */
export function fakeUlid(seed: string): string {
  const digest = createHash('sha256').update(seed).digest()
  let id = '01H'
  for (let i = 0; id.length < 26; i++) id += CROCKFORD[digest[i] % 32]
  return id
}

const FIXED_TIME = '2026-08-01T10:00:00.000Z'

function exampleString(key: string, schema: Schema, path: string, ctx: GenerateContext, within: string[]): string {
  if (schema.format === 'byte') return 'ZXhhbXBsZQ=='
  if (schema.format === 'date-time' || /_at$|time$|^date$/.test(key)) return FIXED_TIME
  if (key === 'uid' && path === '/data/uid' && ctx.resourceId) return ctx.resourceId
  if (key === 'project_id' && ctx.projectId) return ctx.projectId
  if (key === 'uid' || key === 'id' || /_id$|Id$|ID$/.test(key)) return fakeUlid(`${ctx.seed}${path}`)
  if (key === 'url' && /\.Source(Response)?$/.test(within[within.length - 1] ?? ''))
    return 'https://convoy.example.com/ingest/mask3xample'
  if (key === 'url' || /_url$/.test(key)) return 'https://example.com/webhooks'
  if (key === 'content_type') return 'application/json'
  if (/email/.test(key)) return 'support@example.com'
  if (key === 'key') return 'CO.example.key'
  if (key === 'event_type') return 'invoice.paid'
  if (key === 'method') return 'POST'
  if (key === 'http_status') return '200 OK'
  if (key === 'raw') return '{"id":"example"}'
  if (key === 'latency') return '25ms'
  if (key === 'hash') return 'SHA256'
  if (key === 'header' || key === 'header_name') return 'X-Example'
  if (key === 'name') return 'example'
  return `${key || 'value'}-example`
}

function exampleInteger(key: string, ctx: GenerateContext): number {
  if (key === 'per_page') return ctx.perPage ?? 20
  if (key === 'http_timeout') return 30
  if (key === 'rate_limit') return 5000
  if (key === 'rate_limit_duration') return 60
  return 1
}

/**
 * An instance of `schema` (OpenAPI 3.0 as the spec uses it: $ref, allOf, nullable, enum,
 * type, properties, additionalProperties, items, format): objects with every property,
 * arrays with one item, strings by format, enum or field name.
 */
export function generate(
  schema: Schema | undefined,
  ctx: GenerateContext,
  path = '',
  key = '',
  stack: string[] = [],
): unknown {
  if (!schema) return {}
  const {schema: resolved, name} = deref(schema)
  if (name) {
    // handlers.Stub is Convoy's "no data": it always answers null there.
    if (name === 'handlers.Stub') return null
    if (stack.includes(name)) return resolved?.nullable ? null : {}
    return generateResolved(resolved ?? {}, ctx, path, key, [...stack, name], name)
  }
  return generateResolved(schema, ctx, path, key, stack)
}

function generateResolved(
  schema: Schema,
  ctx: GenerateContext,
  path: string,
  key: string,
  stack: string[],
  name?: string,
): unknown {
  if (schema.nullable === true && (ctx.nullables === 'null' || NULL_IN_LIFE.has(key))) return null
  if (schema.allOf) {
    const parts = (schema.allOf as Schema[]).map((part) => generate(part, ctx, path, key, stack))
    if (parts.some((p) => p === null)) return schema.nullable ? null : {}
    if (parts.every((p) => typeof p === 'object' && !Array.isArray(p))) return Object.assign({}, ...parts)
    return parts[parts.length - 1]
  }
  if (Array.isArray(schema.enum)) {
    const pick = name && ENUM_PICK[name]
    return pick ?? schema.enum.find((v: unknown) => v !== '' && v !== null) ?? schema.enum[0]
  }
  const type = schema.type ?? (schema.properties || schema.additionalProperties ? 'object' : undefined)
  switch (type) {
    case 'object': {
      const out: Json = {}
      for (const [prop, sub] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
        out[prop] = generate(sub, ctx, `${path}/${prop}`, prop, stack)
      }
      if (!schema.properties && schema.additionalProperties) {
        // A map (headers, free-form data): one entry.
        const headers = /header/i.test(name ?? key)
        const entry = headers ? 'Content-Type' : 'example'
        const values = schema.additionalProperties === true ? {type: 'string'} : (schema.additionalProperties as Schema)
        out[entry] = generate(values, ctx, `${path}/${entry}`, headers ? 'content_type' : 'example', stack)
      }
      return out
    }
    case 'array':
      return [generate(schema.items as Schema, ctx, `${path}/0`, key, stack)]
    case 'string':
      return exampleString(key, schema, path, ctx, stack)
    case 'integer':
      return exampleInteger(key, ctx)
    case 'number':
      return 0.25
    case 'boolean':
      // The envelope's status is true on success; flags default to false.
      return key === 'status' && path === '/status'
    default:
      return {}
  }
}

function successStatus(op: Operation): number {
  return Number(Object.keys(op.responses).find((s) => s.startsWith('2')) ?? 200)
}

/**
 * How Convoy really answers where its handlers and the spec disagree. Each entry names the
 * handler; the answer stays valid against the spec (a missing `data` is allowed there).
 */
const CONVOY_ANSWERS: Record<string, {omitData: string}> = {
  // api/handlers/event.go CreateBroadcastEvent: NewServerResponse("Broadcast event created successfully", nil, 201),
  // although the spec documents an EventResponse. Convoy sends `"data": null`; omitting it is what
  // the spec allows and means the same to a client.
  'POST /v1/projects/{projectID}/events/broadcast': {omitData: 'Convoy answers broadcast with no event'},
}

export interface GeneratedResponse {
  status: number
  body: Json
}

/**
 * The success answer of `method template` for one request. Lists are Convoy-paged:
 * `pages` pages, one item each, `next_page_cursor` leading from one to the next.
 */
export function generateResponse(
  method: string,
  template: string,
  request: {params?: Record<string, string>; query?: URLSearchParams; nullables?: Nullables; pages?: number} = {},
): GeneratedResponse {
  const op = operation(method, template)
  if (!op) throw new Error(`${method} ${template} is not in the spec`)
  const status = successStatus(op)
  const schema = op.responses[String(status)]?.content?.['application/json']?.schema
  const params = request.params ?? {}
  const query = request.query ?? new URLSearchParams()
  const cursor = query.get('next_page_cursor') || query.get('prev_page_cursor') || ''
  // `/endpoints/{endpointID}` and its verbs (`/pause`, `/resend`...) answer with that resource.
  const own = /\{([^}]+)\}(\/(pause|activate|expire_secret|resend|replay))?$/.exec(template)
  const ctx: GenerateContext = {
    nullables: request.nullables ?? 'value',
    seed: `${method} ${template} ${cursor}`,
    projectId: params.projectID,
    resourceId: own ? params[own[1]] : undefined,
    perPage: Number(query.get('perPage')) || 20,
  }
  const body = (generate(schema, ctx) ?? {}) as Json
  body.status = true
  body.message = `${method} ${template}: ok (fake Convoy)`
  const data = body.data as Json | undefined
  if (data && typeof data === 'object' && Array.isArray(data.content) && 'pagination' in data) {
    // Two pages by default (one item each): page 1 without a cursor, page 2 with one.
    const pages = request.pages ?? 2
    const second = Boolean(cursor) && pages > 1
    const items = data.content as Json[]
    if (data.pagination !== null) {
      data.pagination = {
        per_page: ctx.perPage,
        has_next_page: !second && pages > 1,
        has_prev_page: second,
        next_page_cursor: !second && pages > 1 ? fakeUlid(`${method} ${template} page 2`) : '',
        prev_page_cursor: second ? String(items[0]?.uid ?? '') : '',
        total: pages,
      }
    }
  }
  const quirk = CONVOY_ANSWERS[`${method} ${template}`]
  if (quirk) delete body.data
  return {status, body}
}

// ---------------------------------------------------------------- request checks

/** Properties a body carries that the schema does not name (Convoy's decoder drops them). */
export function unknownFields(schema: Schema | undefined, value: unknown, path = ''): string[] {
  if (!schema || value === null || typeof value !== 'object') return []
  const {schema: s} = deref(schema)
  if (!s) return []
  if (Array.isArray(value))
    return s.type === 'array' ? value.flatMap((v, i) => unknownFields(s.items as Schema, v, `${path}/${i}`)) : []
  const parts = s.allOf ? (s.allOf as Schema[]).map((p) => deref(p).schema ?? {}) : [s]
  const props: Record<string, Schema> = Object.assign(
    {},
    ...parts.map((p) => (p.properties ?? {}) as Record<string, Schema>),
  )
  const open =
    parts.some((p) => p.additionalProperties !== undefined && p.additionalProperties !== false) ||
    parts.every((p) => !p.properties)
  const out: string[] = []
  for (const [k, v] of Object.entries(value as Json)) {
    if (props[k]) out.push(...unknownFields(props[k], v, `${path}/${k}`))
    else if (!open) out.push(`${path}/${k}`)
  }
  return out
}

const GO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/

interface CheckedRequest {
  method: string
  template: string
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
}

const required =
  (...fields: string[]) =>
  (r: CheckedRequest): string[] =>
    fields
      .filter((f) => {
        const v = (r.body as Json | undefined)?.[f]
        return v === undefined || v === null || v === ''
      })
      .map((f) => `${f} is required (Convoy answers 400)`)

/**
 * What Convoy's validators check beyond the spec (the spec is generated from the same Go
 * structs but drops their `valid:"required"` tags and the handlers' own checks).
 */
const CONVOY_RULES: {method: string; template: string; source: string; check: (r: CheckedRequest) => string[]}[] = [
  {
    method: 'POST',
    template: '/v1/projects',
    source: 'api/models/project.go CreateProject',
    check: required('name', 'type'),
  },
  {
    method: 'PUT',
    template: '/v1/projects/{projectID}',
    source: 'api/models/project.go UpdateProject',
    check: required('name'),
  },
  {
    method: 'PUT',
    template: '/v1/projects/{projectID}',
    source: 'services/project_service.go UpdateProject: config replaces the stored one and config.signature is read',
    check: (r) => {
      const config = (r.body as Json | undefined)?.config as Json | undefined
      return config && !config.signature
        ? ['config without config.signature: Convoy replaces the whole config and reads its signature']
        : []
    },
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/endpoints',
    source: 'api/models/endpoint.go CreateEndpoint',
    check: required('url', 'name'),
  },
  {
    method: 'PUT',
    template: '/v1/projects/{projectID}/endpoints/{endpointID}',
    source: 'api/models/endpoint.go UpdateEndpoint',
    check: required('url', 'name'),
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/subscriptions',
    source: 'api/models/subscription.go CreateSubscription',
    check: required('name', 'endpoint_id'),
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/sources',
    source: 'api/models/source.go CreateSource',
    check: required('name', 'type'),
  },
  {
    method: 'PUT',
    template: '/v1/projects/{projectID}/sources/{sourceID}',
    source: 'api/models/source.go UpdateSource',
    check: required('name', 'type'),
  },
  {
    method: 'PUT',
    template: '/v1/projects/{projectID}/sources/{sourceID}',
    source: 'services/update_source.go: the verifier is replaced by what is sent',
    check: (r) =>
      (r.body as Json | undefined)?.verifier ? [] : ['verifier missing: Convoy would drop the source verifier'],
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/sources',
    source: 'api/models/source.go validateIdempotencyKeyFormat',
    check: (r) =>
      (((r.body as Json | undefined)?.idempotency_keys as string[] | undefined) ?? [])
        .filter((k) => !/^(request|req)\.(header|Header|body|Body|query|QueryParam)\..+/.test(k))
        .map(
          (k) =>
            `idempotency_keys: "${k}" is not a Convoy location (request.header.<name>, request.body.<path>, request.query.<name>)`,
        ),
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/events',
    source: 'api/models/event.go CreateEvent',
    check: (r) => [
      ...required('event_type', 'data')(r),
      ...((r.body as Json | undefined)?.endpoint_id || (r.body as Json | undefined)?.app_id
        ? []
        : ['endpoint_id is required']),
    ],
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/events/broadcast',
    source: 'api/models/event.go BroadcastEvent',
    check: required('event_type', 'data'),
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/events/fanout',
    source: 'api/models/event.go FanoutEvent',
    check: required('owner_id', 'event_type', 'data'),
  },
  {
    method: 'POST',
    template: '/v1/projects/{projectID}/eventdeliveries/forceresend',
    source: 'api/handlers/event_delivery.go ForceResendEventDeliveries',
    check: (r) =>
      ((r.body as Json | undefined)?.ids as unknown[] | undefined)?.length ? [] : ['ids must be a non-empty list'],
  },
]

/** api/models/event.go getSearchParams: Go layout 2006-01-02T15:04:05, start before end. */
function dateProblems(op: Operation, query: URLSearchParams): string[] {
  const names = new Set((op.parameters ?? []).map((p) => p.name))
  if (!names.has('startDate') && !names.has('endDate')) return []
  const problems: string[] = []
  for (const name of ['startDate', 'endDate']) {
    const v = query.get(name)
    if (v && !GO_DATE.test(v)) problems.push(`${name} "${v}" is not in Convoy's format 2006-01-02T15:04:05`)
  }
  const start = query.get('startDate')
  const end = query.get('endDate')
  if (start && end && GO_DATE.test(start) && GO_DATE.test(end) && start > end)
    problems.push('startDate is after endDate')
  return problems
}

/** Parameter problems; unknown parameters are `tolerated` (Convoy ignores them, the answer is unfiltered). */
function paramProblems(
  op: Operation,
  params: Record<string, string>,
  query: URLSearchParams,
): {problems: string[]; tolerated: string[]} {
  const problems: string[] = []
  const tolerated: string[] = []
  const declared = new Map((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p]))
  for (const p of op.parameters ?? []) {
    if (p.in === 'path' && !params[p.name]) problems.push(`path parameter ${p.name} is empty`)
    if (p.in === 'query' && p.required && !query.get(p.name)) problems.push(`query parameter ${p.name} is required`)
  }
  for (const name of new Set(query.keys())) {
    const p = declared.get(name)
    if (!p) {
      tolerated.push(`unknown query parameter ${name} (Convoy ignores it)`)
      continue
    }
    const values = query.getAll(name)
    const schema = p.schema ?? {}
    const item: Schema = schema.type === 'array' ? (schema.items ?? {}) : schema
    if (schema.type !== 'array' && values.length > 1)
      problems.push(`query parameter ${name} is repeated but takes one value`)
    for (const v of values) {
      if (item.type === 'integer' && !/^-?\d+$/.test(v))
        problems.push(`query parameter ${name} must be an integer (got "${v}")`)
      if (item.type === 'boolean' && v !== 'true' && v !== 'false')
        problems.push(`query parameter ${name} must be true or false (got "${v}")`)
      if (Array.isArray(item.enum) && !item.enum.includes(v))
        problems.push(`query parameter ${name} must be one of ${item.enum.join(', ')} (got "${v}")`)
    }
  }
  return {problems, tolerated}
}

function matchParams(template: string, pathname: string): Record<string, string> {
  const t = template.split('/').filter(Boolean)
  const p = pathname
    .replace(/^\/api/, '')
    .split('/')
    .filter(Boolean)
  const params: Record<string, string> = {}
  t.forEach((part, i) => {
    const m = /^\{(.+)\}$/.exec(part)
    if (m) params[m[1]] = decodeURIComponent(p[i] ?? '')
  })
  return params
}

export interface RecordedRequest {
  method: string
  url: string
  /** `METHOD /template` of the spec operation, or null when none matches. */
  operation: string | null
  status: number
  body: unknown
  /** Contract violations: the request is not what Convoy accepts. */
  problems: string[]
  /** Body fields Convoy's decoder would drop silently (the spec allows them; reported apart). */
  ignored: string[]
}

export interface FakeConvoy {
  url: string
  /** Every API request, in order (probes of /health and /healthz excluded). */
  requests: RecordedRequest[]
  probes: string[]
  /** Every violation as `METHOD url: problem`. */
  violations(): string[]
  close(): Promise<void>
}

export interface FakeConvoyOptions {
  nullables?: Nullables
  pages?: number
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Check one request against the spec: the operation it names and every problem with it. */
export function checkRequest(req: {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: string
}): {
  template?: string
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  problems: string[]
  ignored: string[]
  status: number
} {
  const url = new URL(req.url, 'http://convoy.invalid')
  const method = req.method.toUpperCase()
  const query = url.searchParams
  const problems: string[] = []
  const fail = (status: number, problem: string) => ({
    params: {},
    query,
    body: undefined,
    problems: [problem],
    ignored: [],
    status,
  })
  if (!url.pathname.startsWith('/api/')) return fail(404, `${url.pathname} is outside the API base /api`)
  const template = specPathFor(url.pathname)
  if (!template) return fail(404, `no Convoy route ${method} ${url.pathname}`)
  const op = operation(method, template)
  if (!op) return {...fail(404, `Convoy has no ${method} on ${template}`), template}
  const params = matchParams(template, url.pathname)

  const auth = String(req.headers.authorization ?? '')
  if (!/^Bearer CO\.\S+$/.test(auth)) problems.push(`Authorization must be "Bearer CO.…" (got "${auth}")`)
  const version = String(req.headers['x-convoy-version'] ?? '')
  if (!/^\d{4}-\d{2}-\d{2}$/.test(version))
    problems.push(`X-Convoy-Version must be a date like 2024-04-01 (got "${version}")`)
  if (problems.length) return {template, params, query, body: undefined, problems, ignored: [], status: 401}

  const checkedParams = paramProblems(op, params, query)
  problems.push(...checkedParams.problems, ...dateProblems(op, query))

  let body: unknown
  const ignored: string[] = []
  const bodySchema = op.requestBody?.content?.['application/json']?.schema
  if (req.body.length > 0) {
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      problems.push('a JSON body needs Content-Type: application/json')
    try {
      body = JSON.parse(req.body)
    } catch {
      problems.push('the body is not valid JSON')
    }
  } else if (op.requestBody?.required) {
    problems.push('the request body is required')
  }
  if (body !== undefined || (req.body.length === 0 && !op.requestBody)) {
    problems.push(...validateRequest(method, template, body).map((p) => `body ${p}`))
    if (bodySchema) ignored.push(...unknownFields(bodySchema, body))
  }
  for (const rule of CONVOY_RULES) {
    if (rule.method === method && rule.template === template)
      problems.push(...rule.check({method, template, params, query, body}).map((p) => `${p} [${rule.source}]`))
  }
  // Convoy answers 400 to all of these but unknown parameters, which it just ignores.
  return {
    template,
    params,
    query,
    body,
    problems: [...problems, ...checkedParams.tolerated],
    ignored,
    status: problems.length ? 400 : 200,
  }
}

/** Start the fake on 127.0.0.1, port 0. */
export function startFakeConvoy(opts: FakeConvoyOptions = {}): Promise<FakeConvoy> {
  const requests: RecordedRequest[] = []
  const probes: string[] = []
  const server = createServer((req, res) => {
    void (async () => {
      const method = (req.method ?? 'GET').toUpperCase()
      const url = req.url ?? '/'
      const raw = await readBody(req)
      const pathname = new URL(url, 'http://convoy.invalid').pathname
      if (method === 'GET' && (pathname === '/health' || pathname === '/healthz')) {
        probes.push(`${method} ${pathname}`)
        if (pathname === '/health') send(res, 200, {status: true, message: 'Convoy is healthy (fake)', data: null})
        else send(res, 404, {status: false, message: 'not found', data: null})
        return
      }
      const checked = checkRequest({method, url, headers: req.headers, body: raw})
      const record: RecordedRequest = {
        method,
        url,
        operation: checked.template ? `${method} ${checked.template}` : null,
        status: checked.status,
        body: checked.body,
        problems: [...checked.problems],
        ignored: checked.ignored,
      }
      requests.push(record)
      if (checked.status !== 200) {
        // Convoy's error envelope; validated like any other answer.
        const envelope = {status: false, message: checked.problems[0], data: null}
        if (checked.template && operation(method, checked.template)) {
          record.problems.push(
            ...validateResponse(method, checked.template, checked.status, envelope).map(
              (p) => `fake Convoy error answer drifted from the spec: ${p}`,
            ),
          )
        }
        send(res, checked.status, envelope)
        return
      }
      const answer = generateResponse(method, checked.template!, {
        params: checked.params,
        query: checked.query,
        nullables: opts.nullables,
        pages: opts.pages,
      })
      const drift = validateResponse(method, checked.template!, answer.status, answer.body)
      if (drift.length) {
        record.problems.push(...drift.map((p) => `fake Convoy answer drifted from the spec: ${p}`))
        send(res, 500, {status: false, message: 'fake Convoy generated an invalid answer', data: null})
        return
      }
      record.status = answer.status
      send(res, answer.status, answer.body)
    })().catch((error: Error) => {
      requests.push({
        method: req.method ?? '?',
        url: req.url ?? '?',
        operation: null,
        status: 500,
        body: undefined,
        problems: [`fake Convoy crashed: ${error.stack}`],
        ignored: [],
      })
      if (!res.headersSent) send(res, 500, {status: false, message: error.message, data: null})
    })
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as AddressInfo
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        probes,
        violations: () => requests.flatMap((r) => r.problems.map((p) => `${r.method} ${r.url}: ${p}`)),
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          }),
      })
    })
  })
}
