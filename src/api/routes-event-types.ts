import {checkJsonSchema, jsonSchemaOf} from '../core/event-type-schemas.js'
import {
  allEventTypes,
  createEventType,
  type EventTypeFields,
  findEventType,
  requireEventTypeByRef,
  updateEventType,
} from '../core/event-types.js'
import {Input} from '../core/input.js'
import {webhooksOf} from '../core/openapi-webhooks.js'
import {badRequest} from '../errors.js'
import type {Db} from '../store/db.js'
import type {EventType} from '../store/types.js'
import type {ApiContext, AuthedRequest} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'

/**
 * Convoy's event types (`/event-types`) over the table Svix's `/event-type` also serves:
 * Convoy's `json_schema` is Svix's schema version "1", `uid` is the row's id. Types Svix
 * archived are gone for Convoy. The path's `eventTypeId` is the uid, or (Caravan) the name.
 */
export function eventTypeJson(e: EventType) {
  return {
    uid: e.id,
    name: e.name,
    category: e.category,
    description: e.description,
    json_schema: jsonSchemaOf(e),
    deprecated_at: e.deprecated_at,
    created_at: e.created_at,
    updated_at: e.updated_at,
  }
}

/** CreateEventType / UpdateEventType's fields; `json_schema: null` leaves the schema as it is, as Convoy does. */
function readFields(input: Input, current: EventType | undefined): EventTypeFields {
  const fields: EventTypeFields = {
    category: input.str('category', {max: 200}),
    description: input.str('description', {max: 10_000}),
  }
  const schema = input.record('json_schema')
  if (schema) {
    checkJsonSchema(schema, 'json_schema')
    fields.schemas = {...current?.schemas, '1': schema}
  }
  return fields
}

function createNamed(db: Db, projectId: string, name: string, fields: EventTypeFields): EventType {
  // Convoy answers a taken name with 400 (it documents no 409 here).
  if (findEventType(db, projectId, name)) throw badRequest(`event type ${name} already exists`)
  return createEventType(db, projectId, name, fields)
}

export function addConvoyEventTypeRoutes(router: Router<ApiContext>): void {
  const et = '/api/v1/projects/:projectID/event-types'
  router
    .add('GET', et, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      return {
        status: 200,
        message: 'Event types fetched successfully',
        data: allEventTypes(ctx.db, project.id).map(eventTypeJson),
      }
    })
    .add('POST', et, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const input = Input.of(r.body)
      const name = input.str('name', {required: true, max: 500})
      if (name.trim() !== name || /[/\s]/.test(name))
        throw badRequest(`name must have no spaces or slashes (got ${JSON.stringify(name)})`)
      const fields = readFields(input, undefined)
      const created = await ctx.write(() => createNamed(ctx.db, project.id, name, fields))
      return {status: 201, message: 'Event type created successfully', data: eventTypeJson(created)}
    })
    .add('PUT', `${et}/:eventTypeId`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const input = Input.of(r.body)
      const updated = await ctx.write(() => {
        const current = requireEventTypeByRef(ctx.db, project.id, r.params.eventTypeId)
        return updateEventType(ctx.db, project.id, current.name, readFields(input, current))
      })
      return {status: 201, message: 'Event type updated successfully', data: eventTypeJson(updated)}
    })
    .add('POST', `${et}/:eventTypeId/deprecate`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const updated = await ctx.write(() => {
        const current = requireEventTypeByRef(ctx.db, project.id, r.params.eventTypeId)
        return updateEventType(ctx.db, project.id, current.name, {deprecated: true})
      })
      return {status: 201, message: 'Event type deprecated successfully', data: eventTypeJson(updated)}
    })
    .add('POST', `${et}/import`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const declared = webhooksOf(Input.of(r.body).str('spec', {required: true}))
      // One write: the whole document is imported, or nothing when one webhook is refused.
      const imported = await ctx.write(() =>
        declared.map((d) => {
          const current = findEventType(ctx.db, project.id, d.name)
          const fields: EventTypeFields = {description: d.description, category: d.category}
          if (d.json_schema) fields.schemas = {...current?.schemas, '1': d.json_schema}
          return current
            ? updateEventType(ctx.db, project.id, d.name, {...fields, archived: false})
            : createEventType(ctx.db, project.id, d.name, fields)
        }),
      )
      return {status: 200, message: 'Event types imported successfully', data: imported.map(eventTypeJson)}
    })
}
