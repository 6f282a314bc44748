/**
 * Provider presets (where each provider puts the event type and delivery id, and how it signs)
 * and the request locations sources use to pick values out of a raw request.
 */
import {CaravanError} from '../errors.js'
import {type InboundHeaders, type ProviderVerifierType, type VerifierConfig} from './verifier.js'

export type ProviderName = ProviderVerifierType

/** A place in a request: a header name, a dotted JSON (or form) body path, or a query parameter. */
export type Location = {in: 'header' | 'body' | 'query'; path: string}

export type ProviderPreset = {
  label: string
  eventType: Location
  /** Where else the event type may be, tried in order when `eventType` is absent. */
  eventTypeAlso?: Location[]
  /** Ordered: the first location present in a request gives its idempotency key. */
  idempotencyKey: Location[]
  verifier(secret: string, toleranceSeconds?: number): VerifierConfig
}

const header = (path: string): Location => ({in: 'header', path})
const body = (path: string): Location => ({in: 'body', path})

export const PROVIDERS: Readonly<Record<ProviderName, ProviderPreset>> = Object.freeze<
  Record<ProviderName, ProviderPreset>
>({
  github: {
    label: 'GitHub',
    eventType: header('X-GitHub-Event'),
    idempotencyKey: [header('X-GitHub-Delivery')],
    verifier: (secret: string) => ({type: 'github', secret}),
  },
  stripe: {
    label: 'Stripe',
    eventType: body('type'),
    idempotencyKey: [body('id')],
    verifier: (secret: string, toleranceSeconds?: number) => ({type: 'stripe', secret, toleranceSeconds}),
  },
  shopify: {
    label: 'Shopify',
    // Event-bridge style deliveries name the headers without the X- prefix.
    eventType: header('X-Shopify-Topic'),
    eventTypeAlso: [header('Shopify-Topic')],
    idempotencyKey: [header('X-Shopify-Webhook-Id'), header('Shopify-Webhook-Id')],
    verifier: (secret: string) => ({type: 'shopify', secret}),
  },
  'standard-webhooks': {
    label: 'Standard Webhooks / Svix',
    eventType: body('type'),
    idempotencyKey: [header('webhook-id'), header('svix-id')],
    verifier: (secret: string, toleranceSeconds?: number) => ({type: 'standard-webhooks', secret, toleranceSeconds}),
  },
})

export const PROVIDER_NAMES = Object.keys(PROVIDERS) as ProviderName[]

export function isProviderName(name: string): name is ProviderName {
  return Object.hasOwn(PROVIDERS, name)
}

const LOCATION_SYNTAX =
  'expected header.<name>, body.<path> or query.<name>, e.g. "header.X-GitHub-Event" or "body.data.type"'

/**
 * Parses `header.X-GitHub-Event`, `body.data.type` or `query.type`. Convoy's spelling
 * (`request.header.X-Id`) is accepted too, so source configs copied from Convoy work unchanged.
 */
export function parseLocation(text: string): Location {
  const raw = text.trim().replace(/^request\./, '')
  const dot = raw.indexOf('.')
  const where = dot < 0 ? raw : raw.slice(0, dot)
  const path = dot < 0 ? '' : raw.slice(dot + 1)
  const invalid = (why: string) => new CaravanError('CARAVAN_ERR_CONFIG', `invalid location "${text}": ${why}`)
  if (where !== 'header' && where !== 'body' && where !== 'query') {
    throw invalid(`unknown part "${where}"; ${LOCATION_SYNTAX}`)
  }
  if (path === '') throw invalid(`no ${where === 'body' ? 'path' : 'name'} after "${where}."; ${LOCATION_SYNTAX}`)
  if (where === 'body' && path.split('.').includes('')) throw invalid('empty segment in body path')
  if (where === 'header' && !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(path)) throw invalid(`"${path}" is not a header name`)
  return {in: where, path}
}

export function formatLocation(location: Location): string {
  return `${location.in}.${location.path}`
}

export type ExtractRequest = {
  headers: InboundHeaders
  body: Buffer
  query: URLSearchParams
  contentType?: string
}

/**
 * The value at a location as a string, or undefined when it is absent, empty or the body
 * can't be parsed. Never throws: a webhook with an odd body must still be stored.
 */
export function extractAt(location: Location, req: ExtractRequest): string | undefined {
  return extractFirst([location], req)
}

/** The first location that yields a value; the body is parsed at most once. */
export function extractFirst(locations: readonly Location[], req: ExtractRequest): string | undefined {
  let parsed: ParsedBody | undefined
  for (const location of locations) {
    let value: string | undefined
    if (location.in === 'header') value = headerValue(req.headers, location.path)
    else if (location.in === 'query') value = req.query.get(location.path) ?? undefined
    else value = readBody((parsed ??= parseBody(req.body, req.contentType)), location.path)
    // An empty string is treated as absent: an empty idempotency key would mark every later event a duplicate.
    if (value !== undefined && value !== '') return value
  }
  return undefined
}

function headerValue(headers: InboundHeaders, name: string): string | undefined {
  const lower = name.toLowerCase()
  const key = Object.hasOwn(headers, lower) ? lower : Object.keys(headers).find((k) => k.toLowerCase() === lower)
  const value = key === undefined ? undefined : headers[key]
  // Joined the way node joins repeated headers, so the value matches what a server would see.
  return Array.isArray(value) ? value.join(', ') : value
}

type ParsedBody = {kind: 'json'; value: unknown} | {kind: 'form'; value: URLSearchParams} | {kind: 'none'}

function parseBody(raw: Buffer, contentType: string | undefined): ParsedBody {
  const type = contentType?.split(';')[0].trim().toLowerCase()
  const text = raw.toString('utf8')
  if (type === 'application/x-www-form-urlencoded') return {kind: 'form', value: new URLSearchParams(text)}
  const json = parseJson(text)
  if (json !== undefined) return {kind: 'json', value: json}
  // Without a content type, a body that isn't JSON may still be a form.
  if (type === undefined && /^[^=&\s]+=/.test(text)) return {kind: 'form', value: new URLSearchParams(text)}
  return {kind: 'none'}
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

function readBody(parsed: ParsedBody, path: string): string | undefined {
  if (parsed.kind === 'json') return stringify(walk(parsed.value, path.split('.')))
  if (parsed.kind === 'none') return undefined
  const direct = parsed.value.get(path)
  if (direct !== null) return direct
  // Form posts often wrap JSON in one field (GitHub's `payload=`), so `body.payload.action` reaches into it.
  const [field, ...rest] = path.split('.')
  const inner = parsed.value.get(field)
  if (inner === null || rest.length === 0) return undefined
  return stringify(walk(parseJson(inner), rest))
}

function walk(value: unknown, segments: string[]): unknown {
  let current = value
  for (const segment of segments) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(segment)) return undefined
      current = current[Number(segment)]
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment]
    } else {
      return undefined
    }
  }
  return current
}

/** Objects and arrays come back as JSON text so they can still serve as (composite) idempotency keys. */
function stringify(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}
