import {readFileSync} from 'node:fs'

import {Ajv, type ErrorObject, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'

/**
 * Contract checks against Convoy's own OpenAPI 3.0 spec (a copy in test/fixtures/reference; see
 * its README). The spec's schemas are converted for ajv (draft-07):
 * - `nullable: true` becomes a `null` alternative (type array, enum member or anyOf),
 * - `example`, `description` and `x-*` annotations are dropped,
 * - `#/components/schemas/X` refs point into one schema registered under COMPONENTS_ID.
 * No `additionalProperties: false` is added: Caravan may return documented extra fields.
 */

const SPEC_URL = new URL('../fixtures/reference/convoy-openapi3.json', import.meta.url)
const COMPONENTS_ID = 'https://caravan.invalid/convoy-components.json'

type Json = Record<string, unknown>
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH'

interface Operation {
  requestBody?: {content?: Record<string, {schema?: Json}>}
  responses?: Record<string, {content?: Record<string, {schema?: Json}>}>
}

interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: {schemas: Record<string, Json>}
}

const DROPPED = new Set(['example', 'examples', 'description', 'nullable'])

/** One OpenAPI 3.0 schema → JSON Schema draft-07, recursively. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (node === null || typeof node !== 'object') return node
  const schema = node as Json
  const out: Json = {}
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key.startsWith('x-')) continue
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace(/^#\/components\/schemas\//, `${COMPONENTS_ID}#/definitions/`)
    } else if (key === 'properties' && value && typeof value === 'object') {
      // Property names are data, not keywords: never drop or rewrite them.
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([name, sub]) => [name, toJsonSchema(sub)]))
    } else {
      out[key] = toJsonSchema(value)
    }
  }
  if (schema.nullable !== true) return out
  if (typeof out.type === 'string' && !out.$ref) {
    out.type = [out.type, 'null']
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    return out
  }
  // `{allOf: [{$ref}], nullable: true}` and friends: null, or whatever the rest allows.
  return {anyOf: [{type: 'null'}, out]}
}

let cached: {spec: Spec; ajv: Ajv} | undefined

function load(): {spec: Spec; ajv: Ajv} {
  if (cached) return cached
  const spec = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Spec
  // strict: false — the spec uses `format: byte` and other annotations ajv does not know.
  const ajv = new Ajv({allErrors: true, strict: false, logger: false})
  const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
  addFormats(ajv)
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/)
  const definitions = Object.fromEntries(
    Object.entries(spec.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]),
  )
  ajv.addSchema({$id: COMPONENTS_ID, definitions})
  cached = {spec, ajv}
  return cached
}

export function specPaths(): string[] {
  return Object.keys(load().spec.paths)
}

function operation(method: string, specPath: string): Operation | undefined {
  return load().spec.paths[specPath]?.[method.toLowerCase()]
}

/** Whether the spec documents `method specPath` at all. */
export function hasOperation(method: string, specPath: string): boolean {
  return operation(method, specPath) !== undefined
}

/** Whether the spec documents this status code for the operation. */
export function documentsStatus(method: string, specPath: string, status: number): boolean {
  return operation(method, specPath)?.responses?.[String(status)] !== undefined
}

/**
 * The spec path template (`/v1/projects/{projectID}/endpoints/{endpointID}`) that a concrete
 * request path (`/api/v1/projects/01H.../endpoints/01H...`) is an instance of. Literal
 * segments win over parameters, so `/events/fanout` is not read as `/events/{eventID}`.
 */
export function specPathFor(requestPath: string): string | undefined {
  return templateFor(requestPath.replace(/^\/api(?=\/)/, ''), specPaths())
}

/** Which of `templates` a concrete path (query ignored) is an instance of; literal segments win. */
export function templateFor(requestPath: string, templates: Iterable<string>): string | undefined {
  const parts = requestPath.split('?')[0].replace(/\/+$/, '').split('/').filter(Boolean)
  let best: {template: string; literals: number} | undefined
  for (const template of templates) {
    const tparts = template.split('/').filter(Boolean)
    if (tparts.length !== parts.length) continue
    let literals = 0
    const ok = tparts.every((t, i) => {
      if (/^\{.+\}$/.test(t)) return true
      literals++
      return t === parts[i]
    })
    if (ok && (!best || literals > best.literals)) best = {template, literals}
  }
  return best?.template
}

const validators = new Map<string, ValidateFunction>()

function validatorFor(key: string, schema: Json): ValidateFunction {
  let validate = validators.get(key)
  if (!validate) {
    validate = load().ajv.compile(toJsonSchema(schema) as Json)
    validators.set(key, validate)
  }
  return validate
}

function describe(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === 'enum' ? ` ${JSON.stringify((e.params as {allowedValues: unknown[]}).allowedValues)}` : ''
    return `${e.instancePath || '/'} ${e.message ?? e.keyword}${extra}`
  })
}

function jsonSchemaOf(content: Record<string, {schema?: Json}> | undefined): Json | undefined {
  return content?.['application/json']?.schema
}

/**
 * Problems with `body` as the response to `method specPath` with `status`; empty when valid.
 * A status the spec does not document is itself reported.
 */
export function validateResponse(method: Method | string, specPath: string, status: number, body: unknown): string[] {
  const op = operation(method, specPath)
  if (!op) return [`${method.toUpperCase()} ${specPath} is not in the spec`]
  const response = op.responses?.[String(status)] ?? op.responses?.default
  if (!response) return [`${method.toUpperCase()} ${specPath} documents no ${status} response`]
  const schema = jsonSchemaOf(response.content)
  if (!schema) return []
  const validate = validatorFor(`res ${method.toUpperCase()} ${specPath} ${status}`, schema)
  return validate(body) ? [] : describe(validate.errors)
}

/** Problems with `body` as the request body of `method specPath`; empty when valid. */
export function validateRequest(method: Method | string, specPath: string, body: unknown): string[] {
  const op = operation(method, specPath)
  if (!op) return [`${method.toUpperCase()} ${specPath} is not in the spec`]
  const schema = jsonSchemaOf(op.requestBody?.content)
  if (!schema) return body === undefined ? [] : [`${method.toUpperCase()} ${specPath} takes no request body`]
  const validate = validatorFor(`req ${method.toUpperCase()} ${specPath}`, schema)
  return validate(body) ? [] : describe(validate.errors)
}
