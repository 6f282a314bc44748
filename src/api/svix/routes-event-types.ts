import {
  createEventType,
  deleteEventType,
  type EventTypeFields,
  listEventTypes,
  requireEventType,
  updateEventType,
  upsertEventType,
} from '../../core/event-types.js'
import type {Router} from '../router.js'
import {eventTypeOut, listOut, svixPageQuery} from './serialize.js'
import {type SvixContext, svixResult} from './types.js'
import {invalid, queryBool, SvixInput} from './validate.js'

/** EventTypeIn / EventTypeUpdate / EventTypePatch. */
function readEventType(input: SvixInput, descriptionRequired: boolean): EventTypeFields {
  const fields: EventTypeFields = {
    description: input.str('description', {required: descriptionRequired as true}),
    archived: input.bool('archived'),
    deprecated: input.bool('deprecated'),
  }
  if (input.given('schemas')) {
    const schemas = input.raw('schemas') === null ? null : input.object('schemas')
    if (schemas)
      for (const [version, schema] of Object.entries(schemas))
        if (schema === null || typeof schema !== 'object' || Array.isArray(schema))
          throw invalid(['body', 'schemas', version], 'value is not a valid dict', 'type_error.dict')
    fields.schemas = schemas ?? null
  }
  if (input.given('featureFlags'))
    fields.feature_flags = input.raw('featureFlags') === null ? null : (input.names('featureFlags') ?? null)
  if (input.given('featureFlag')) {
    const flag = input.raw('featureFlag') === null ? null : input.name('featureFlag')
    fields.feature_flags = flag ? [flag] : null
  }
  if (input.given('groupName'))
    fields.group_name = input.raw('groupName') === null ? null : (input.name('groupName') ?? null)
  return fields
}

export function addEventTypeRoutes(router: Router<SvixContext>): void {
  router.add('GET', '/api/v1/event-type', ({api, project}, {query}) => {
    const page = svixPageQuery(query, 'ascending')
    const withContent = queryBool(query, 'with_content') ?? false
    const list = listEventTypes(api.db, project.id, page, {includeArchived: queryBool(query, 'include_archived')})
    return svixResult(
      200,
      listOut(list, page, (e) => eventTypeOut(e, withContent)),
    )
  })

  router.add('POST', '/api/v1/event-type', async ({api, project}, {body}) => {
    const input = SvixInput.body(body)
    const name = input.name('name', {required: true})
    const fields = readEventType(input, true)
    return svixResult(201, eventTypeOut(await api.write(() => createEventType(api.db, project.id, name, fields))))
  })

  router.add('GET', '/api/v1/event-type/:name', ({api, project}, {params}) =>
    svixResult(200, eventTypeOut(requireEventType(api.db, project.id, params.name))),
  )

  router.add('PUT', '/api/v1/event-type/:name', async ({api, project}, {body, params}) => {
    const name = SvixInput.body({name: params.name}, ['path']).name('name', {required: true})
    const fields = readEventType(SvixInput.body(body), true)
    const result = await api.write(() => upsertEventType(api.db, project.id, name, fields))
    return svixResult(result.created ? 201 : 200, eventTypeOut(result.eventType))
  })

  router.add('PATCH', '/api/v1/event-type/:name', async ({api, project}, {body, params}) => {
    const fields = readEventType(SvixInput.body(body), false)
    return svixResult(
      200,
      eventTypeOut(await api.write(() => updateEventType(api.db, project.id, params.name, fields))),
    )
  })

  router.add('DELETE', '/api/v1/event-type/:name', async ({api, project}, {params, query}) => {
    const expunge = queryBool(query, 'expunge') ?? false
    await api.write(() => deleteEventType(api.db, project.id, params.name, expunge))
    return svixResult(204)
  })
}
