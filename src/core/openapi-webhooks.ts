import {badRequest} from '../errors.js'
import {checkJsonSchema} from './event-type-schemas.js'

type Json = Record<string, unknown>

/** One event type an OpenAPI document declares: a webhook and the schema of its request body. */
export interface DeclaredEventType {
  name: string
  description: string
  category: string
  json_schema: Json | null
}

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v)
const METHODS = ['post', 'put', 'patch', 'get', 'delete']

/**
 * The webhooks of an OpenAPI document (3.1 `webhooks`, or 3.0's `x-webhooks`) as event types:
 * the webhook's name, its operation's description (or summary), first tag as category and the
 * JSON request body's schema. `#/components/schemas/…` references are carried along under
 * `$defs`, so each schema stands alone. The document is JSON (Convoy also reads YAML).
 */
export function webhooksOf(spec: string): DeclaredEventType[] {
  let doc: unknown
  try {
    doc = JSON.parse(spec)
  } catch (error) {
    throw badRequest(
      `spec is not a JSON document (${(error as Error).message}); YAML is not read here, convert it to JSON first`,
    )
  }
  if (!isObject(doc)) throw badRequest('spec must be an OpenAPI document (a JSON object)')
  const key = isObject(doc.webhooks) ? 'webhooks' : isObject(doc['x-webhooks']) ? 'x-webhooks' : undefined
  if (!key) throw badRequest('spec declares no webhooks: expected OpenAPI 3.1 "webhooks" or 3.0 "x-webhooks"')
  const webhooks = doc[key] as Json
  const names = Object.keys(webhooks)
  if (names.length === 0) throw badRequest(`spec: ${key} is empty`)
  return names.map((name) => {
    const where = `spec: ${key}.${name}`
    if (!name || /[/\s]/.test(name)) throw badRequest(`${where}: an event type name has no spaces or slashes`)
    const item = resolve(doc as Json, webhooks[name], where)
    const method = METHODS.find((m) => isObject(item[m]))
    if (!method) throw badRequest(`${where} has no operation (post, put, …)`)
    const op = item[method] as Json
    const schema = bodySchema(doc as Json, op, `${where}.${method}`)
    if (schema) checkJsonSchema(schema, `${where} request body schema`)
    return {
      name,
      description: str(op.description) || str(op.summary),
      category: Array.isArray(op.tags) && typeof op.tags[0] === 'string' ? op.tags[0] : '',
      json_schema: schema,
    }
  })
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '')

/** Follow a local `$ref` (`#/components/pathItems/x`) to the object it names. */
function resolve(doc: Json, node: unknown, where: string, depth = 0): Json {
  if (!isObject(node)) throw badRequest(`${where} must be an object`)
  if (typeof node.$ref !== 'string') return node
  if (depth > 20) throw badRequest(`${where}: $ref chain is too long`)
  return resolve(doc, pointer(doc, node.$ref, where), where, depth + 1)
}

function pointer(doc: Json, ref: string, where: string): unknown {
  if (!ref.startsWith('#/')) throw badRequest(`${where}: only local references (#/…) are followed, not "${ref}"`)
  let node: unknown = doc
  for (const raw of ref.slice(2).split('/')) {
    const part = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~')
    node = isObject(node) ? node[part] : undefined
    if (node === undefined) throw badRequest(`${where}: reference "${ref}" points at nothing`)
  }
  return node
}

function bodySchema(doc: Json, op: Json, where: string): Json | null {
  if (op.requestBody === undefined) return null
  const body = resolve(doc, op.requestBody, `${where}.requestBody`)
  if (!isObject(body.content)) return null
  const content = body.content
  const type = 'application/json' in content ? 'application/json' : Object.keys(content).find((t) => /json/.test(t))
  const media = type ? content[type] : undefined
  if (!isObject(media) || media.schema === undefined) return null
  if (!isObject(media.schema)) throw badRequest(`${where}.requestBody schema must be an object`)
  return standalone(doc, media.schema, `${where}.requestBody`)
}

const COMPONENT_REF = /^#\/components\/schemas\/(.+)$/

/** The schema with every `#/components/schemas/X` it reaches copied under `$defs.X`. */
function standalone(doc: Json, schema: Json, where: string): Json {
  const defs: Json = {}
  const pending: string[] = []
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite)
    if (!isObject(node)) return node
    const out: Json = {}
    for (const [k, v] of Object.entries(node)) {
      const match = k === '$ref' && typeof v === 'string' ? COMPONENT_REF.exec(v) : null
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#'))
        throw badRequest(`${where}: only local references (#/…) are followed, not "${v}"`)
      if (match) {
        const name = decodeURIComponent(match[1])
        if (!(name in defs) && !pending.includes(name)) pending.push(name)
        out.$ref = `#/$defs/${encodeURIComponent(name)}`
      } else if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/')) {
        throw badRequest(`${where}: schema reference "${v}" is not under #/components/schemas`)
      } else {
        out[k] = rewrite(v)
      }
    }
    return out
  }
  // A body that is just `$ref: X` gets X itself as its root: the schema reads as what it is.
  const only =
    Object.keys(schema).length === 1 && typeof schema.$ref === 'string' ? COMPONENT_REF.exec(schema.$ref) : null
  const rootSchema = only ? pointer(doc, schema.$ref as string, where) : schema
  if (!isObject(rootSchema)) throw badRequest(`${where}: schema "${String(schema.$ref)}" must be an object`)
  const root = rewrite(rootSchema) as Json
  while (pending.length) {
    const name = pending.shift() as string
    defs[name] = null // claimed before rewriting, so a cycle does not queue it again
    defs[name] = rewrite(
      pointer(doc, `#/components/schemas/${name.replaceAll('~', '~0').replaceAll('/', '~1')}`, where),
    )
  }
  if (Object.keys(defs).length === 0) return root
  return {...root, $defs: {...(isObject(root.$defs) ? root.$defs : {}), ...defs}}
}
