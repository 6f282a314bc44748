import {createRequire} from 'node:module'

import type {Ajv, ErrorObject, ValidateFunction} from 'ajv'
import type {Ajv2020} from 'ajv/dist/2020.js'

import {badRequest} from '../errors.js'
import type {Db} from '../store/db.js'
import type {EventType, Project} from '../store/types.js'
import {findEventType} from './event-types.js'

/**
 * JSON Schemas of event types (Convoy's `json_schema`, Svix's schema version "1") and the
 * check of event payloads against them. Draft-07 and older-style schemas (`$schema` naming
 * draft-06/07) compile with ajv's draft-07 validator, everything else with 2020-12 (what
 * OpenAPI 3.1 documents use). `format` is an annotation here: formats are not checked.
 */

type Json = Record<string, unknown>

let draft07: Ajv | undefined
let draft2020: Ajv2020 | undefined

// ajv is loaded on first use, not at import: the relay starts (and `listen` with it) as fast as before.
const load = createRequire(import.meta.url)

function ajvFor(schema: Json): Ajv | Ajv2020 {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : ''
  const options = {strict: false, validateFormats: false, logger: false} as const
  if (/draft-0[67]/.test(dialect)) return (draft07 ??= new (load('ajv') as typeof import('ajv')).Ajv(options))
  return (draft2020 ??= new (load('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020(options))
}

const MAX_COMPILED = 256
const compiled = new Map<string, {validate: ValidateFunction; ajv: Ajv | Ajv2020; schema: Json}>()

/** A compiled validator, cached by the schema's text; throws ajv's own message when invalid. */
function validatorFor(schema: Json): ValidateFunction {
  const key = JSON.stringify(schema)
  const hit = compiled.get(key)
  if (hit) return hit.validate
  // A top-level $id would clash when two event types share one schema (an import does that).
  const {$id: _id, ...anonymous} = schema
  const ajv = ajvFor(anonymous)
  const validate = ajv.compile(anonymous)
  if (compiled.size >= MAX_COMPILED) {
    const [oldestKey, oldest] = compiled.entries().next().value as [string, {ajv: Ajv | Ajv2020; schema: Json}]
    oldest.ajv.removeSchema(oldest.schema)
    compiled.delete(oldestKey)
  }
  compiled.set(key, {validate, ajv, schema: anonymous})
  return validate
}

/** 400 naming `field` when `schema` is not a JSON Schema ajv can compile. */
export function checkJsonSchema(schema: Json, field: string): void {
  try {
    validatorFor(schema)
  } catch (error) {
    throw badRequest(`${field} is not a valid JSON Schema: ${(error as Error).message}`)
  }
}

/** The JSON Schema Convoy calls `json_schema`: Svix's version "1". */
export function jsonSchemaOf(eventType: EventType): Json | null {
  const schema = eventType.schemas?.['1']
  return schema && typeof schema === 'object' && !Array.isArray(schema) ? (schema as Json) : null
}

/** A JSON Pointer (`/items/0/name`) under `root` as a path a reader knows: `data.items[0].name`. */
function readablePath(root: string, pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
  if (extra !== undefined) parts.push(extra)
  let out = root
  for (const part of parts) {
    if (/^\d+$/.test(part)) out += `[${part}]`
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += `.${part}`
    else out += `[${JSON.stringify(part)}]`
  }
  return out
}

function describeError(error: ErrorObject, root: string): string {
  const params = error.params as {missingProperty?: string; additionalProperty?: string}
  if (error.keyword === 'required' && params.missingProperty !== undefined)
    return `${readablePath(root, error.instancePath, params.missingProperty)} is required`
  if (error.keyword === 'additionalProperties' && params.additionalProperty !== undefined)
    return `${readablePath(root, error.instancePath, params.additionalProperty)} is not allowed`
  const allowed =
    error.keyword === 'enum' ? ` ${JSON.stringify((error.params as {allowedValues: unknown}).allowedValues)}` : ''
  return `${readablePath(root, error.instancePath)} ${error.message ?? `fails ${error.keyword}`}${allowed}`
}

/**
 * When the project asks for it (`config.validate_event_schemas`), check an event's payload
 * against its event type's JSON schema: a 400 naming the first failing path (`data.amount`).
 * Events of types without a schema, or of no known type, pass.
 */
export function validateEventPayload(db: Db, project: Project, eventType: string, data: unknown): void {
  if (!project.config.validate_event_schemas) return
  const type = findEventType(db, project.id, eventType)
  const schema = type && !type.archived ? jsonSchemaOf(type) : null
  if (!schema) return
  let validate: ValidateFunction
  try {
    validate = validatorFor(schema)
  } catch (error) {
    throw badRequest(`event type ${eventType} has a json_schema that is not valid: ${(error as Error).message}`)
  }
  if (validate(data)) return
  const first = validate.errors?.[0]
  const problem = first ? describeError(first, 'data') : 'data does not match'
  throw badRequest(`data does not match the json_schema of event type ${eventType}: ${problem}`)
}
