import {readFileSync} from 'node:fs'

import {Ajv, type ValidateFunction} from 'ajv'
import addFormatsModule from 'ajv-formats'

import {templateFor, toJsonSchema} from './openapi.js'

/**
 * Contract checks against svix-server's own OpenAPI spec (a copy in test/fixtures/reference).
 * toJsonSchema (shared with the Convoy checks) rewrites `$ref`s to one components id; this
 * module registers Svix's definitions under that id in its own ajv instance.
 */
const SPEC_URL = new URL('../fixtures/reference/svix-openapi.json', import.meta.url)
const COMPONENTS_ID = 'https://caravan.invalid/convoy-components.json'

type Json = Record<string, unknown>
interface Operation {
  operationId?: string
  responses?: Record<string, {content?: Record<string, {schema?: Json}>}>
}
interface Spec {
  paths: Record<string, Record<string, Operation>>
  components: {schemas: Record<string, Json>}
}

let cached: {spec: Spec; ajv: Ajv} | undefined
function load(): {spec: Spec; ajv: Ajv} {
  if (cached) return cached
  const spec = JSON.parse(readFileSync(SPEC_URL, 'utf8')) as Spec
  const ajv = new Ajv({allErrors: true, strict: false, logger: false})
  ;(addFormatsModule as unknown as (ajv: Ajv) => Ajv)(ajv)
  for (const format of ['uint16', 'uint32', 'int16', 'int64', 'int32', 'uint64']) ajv.addFormat(format, true)
  ajv.addSchema({
    $id: COMPONENTS_ID,
    definitions: Object.fromEntries(Object.entries(spec.components.schemas).map(([n, s]) => [n, toJsonSchema(s)])),
  })
  cached = {spec, ajv}
  return cached
}

/** Every operation of the spec as `METHOD /template`. */
export function svixOperations(): string[] {
  const out: string[] = []
  for (const [path, ops] of Object.entries(load().spec.paths))
    for (const method of Object.keys(ops)) if (ops[method].operationId) out.push(`${method.toUpperCase()} ${path}`)
  return out
}

/** The spec template a request path is an instance of (literal segments win). */
export function svixTemplateFor(path: string): string | undefined {
  return templateFor(path, Object.keys(load().spec.paths))
}

const validators = new Map<string, ValidateFunction>()

/** Problems with a response against the spec; a status the spec does not document is one. */
export function validateSvixResponse(method: string, template: string, status: number, body: unknown): string[] {
  const op = load().spec.paths[template]?.[method.toLowerCase()]
  if (!op) return [`${method} ${template} is not in the spec`]
  // Not-supported operations answer 501 (which the spec does not list) in the HttpErrorOut shape.
  const response =
    status === 501
      ? {content: {'application/json': {schema: {$ref: '#/components/schemas/HttpErrorOut'}}}}
      : op.responses?.[String(status)]
  // svix-server documents no 2xx for the two expunge operations; it answers 204.
  if (!response) return status === 204 && method === 'DELETE' ? [] : [`${method} ${template} documents no ${status}`]
  const schema = response.content?.['application/json']?.schema
  if (!schema) return body === undefined ? [] : [`${method} ${template} ${status} documents no body`]
  const key = `${method} ${template} ${status}`
  let validate = validators.get(key)
  if (!validate) validators.set(key, (validate = load().ajv.compile(toJsonSchema(schema) as Json)))
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`)
}

export interface SeenCall {
  op: string
  status: number
  errors: string[]
}

/**
 * A fetch for the Svix SDK that checks every answer against the spec and records which
 * operation it was: the test asserts all were driven and none broke the contract.
 */
export function checkingFetch(seen: SeenCall[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init)
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url)
    const method = (init?.method ?? 'GET').toUpperCase()
    const template = svixTemplateFor(url.pathname)
    const text = await response.clone().text()
    let body: unknown
    if (text) body = JSON.parse(text)
    const errors = template
      ? validateSvixResponse(method, template, response.status, body)
      : [`no spec path for ${url.pathname}`]
    seen.push({op: `${method} ${template ?? url.pathname}`, status: response.status, errors})
    return response
  }
}
