import {Flags} from '@oclif/core'

import type {Json} from '../client/resources.js'
import {CaravanError} from '../errors.js'
import {readJsonDataFlag} from './data-flag.js'

/** Fields of `event-types create` and `update`. */
export const eventTypeFlags = {
  category: Flags.string({description: 'Product-specific grouping, e.g. billing.'}),
  description: Flags.string({description: 'What the event type means.'}),
  schema: Flags.string({
    description: 'JSON Schema of the payload (json_schema): inline JSON, @file or - for stdin.',
  }),
}

/** The request body the flags given describe (CreateEventType / UpdateEventType). */
export function eventTypeBody(flags: {category?: string; description?: string; schema?: string}): Json {
  const body: Json = {}
  if (flags.category !== undefined) body.category = flags.category
  if (flags.description !== undefined) body.description = flags.description
  if (flags.schema !== undefined) {
    const schema = readJsonDataFlag(flags.schema, '--schema')
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
      throw new CaravanError('CARAVAN_ERR_USAGE', '--schema must be a JSON object (a JSON Schema)')
    body.json_schema = schema
  }
  return body
}
