import {notFound} from '../../errors.js'
import type {Db} from '../../store/db.js'
import {paginate, type PageQuery} from '../../store/paginate.js'
import {attempts, deliveries, endpoints, events} from '../../store/resources.js'
import type {Delivery, SvixApp} from '../../store/types.js'
import {createApp, findApp, requireApp} from '../../svix/apps.js'
import {requireSvixEndpoint} from '../../svix/endpoints.js'
import {
  createMessage,
  expungeMessage,
  listMessages,
  type MessageFilter,
  messageWhere,
  requireMessage,
  resendMessage,
} from '../../svix/messages.js'
import type {ApiRequest, Router} from '../router.js'
import {announceStored} from '../../relay/relay-events.js'
import {readApp} from './routes-apps.js'
import {attemptOut, endpointMessageOut, listOut, messageEndpointOut, messageOut, svixPageQuery} from './serialize.js'
import {type SvixContext, svixResult} from './types.js'
import {invalid, queryBool, queryDate, queryNames, SvixInput} from './validate.js'

function messageFilter(query: URLSearchParams): MessageFilter {
  const channel = query.get('channel') || undefined
  return {
    before: queryDate(query, 'before'),
    after: queryDate(query, 'after'),
    channel,
    eventTypes: queryNames(query, 'event_types'),
  }
}

/** Svix's `status` filter (0 success, 1 pending, 2 fail, 3 sending) as delivery statuses. */
function statusFilter(query: URLSearchParams): string[] | undefined {
  const raw = query.get('status')
  if (raw === null || raw === '') return undefined
  const map: Record<string, string[]> = {
    '0': ['Success'],
    '1': ['Scheduled', 'Retry'],
    '2': ['Failure', 'Discarded'],
    '3': ['Processing'],
  }
  if (!map[raw])
    throw invalid(
      ['query', 'status'],
      'value is not a valid enumeration member; permitted: 0, 1, 2, 3',
      'type_error.enum',
    )
  return map[raw]
}

/** The newest delivery of each (message, endpoint): what Svix calls the message's status there. */
const LATEST = `d.id = (SELECT MAX(id) FROM deliveries WHERE endpoint_id = d.endpoint_id AND event_id = d.event_id)`

function latestDelivery(db: Db, eventId: string, endpointId: string): Delivery | undefined {
  return deliveries.find(db, ['event_id = ?', 'endpoint_id = ?'], [eventId, endpointId]).at(-1)
}

/** Attempts of an app's messages, filtered as Svix's two attempt lists filter them. */
type AttemptScope = {endpointId?: string; eventId?: string}

function attemptPage(db: Db, app: SvixApp, page: PageQuery, query: URLSearchParams, by: AttemptScope) {
  const filter = messageFilter(query)
  const msg = messageWhere(filter, 'e.')
  const where = [`d.project_id = ?`, `e.app_id = ?`, ...msg.where]
  const params: unknown[] = [app.project_id, app.id, ...msg.params]
  if (by.eventId) {
    where.push('d.event_id = ?')
    params.push(by.eventId)
  }
  const endpointId = by.endpointId ?? (query.get('endpoint_id') || undefined)
  if (endpointId) {
    where.push('d.endpoint_id = ?')
    params.push(endpointId)
  }
  const attemptWhere = [
    `delivery_id IN (SELECT d.id FROM deliveries d JOIN events e ON e.id = d.event_id WHERE ${where.join(' AND ')})`,
  ]
  const status = query.get('status')
  if (status === '0') attemptWhere.push('response_status BETWEEN 200 AND 299')
  else if (status === '2') attemptWhere.push('(response_status IS NULL OR response_status NOT BETWEEN 200 AND 299)')
  else if (status !== null && status !== '' && status !== '1' && status !== '3')
    throw invalid(
      ['query', 'status'],
      'value is not a valid enumeration member; permitted: 0, 1, 2, 3',
      'type_error.enum',
    )
  else if (status === '1' || status === '3') attemptWhere.push('0') // an attempt made is never pending or sending
  const codeClass = query.get('status_code_class')
  if (codeClass !== null && codeClass !== '') {
    if (!['0', '100', '200', '300', '400', '500'].includes(codeClass))
      throw invalid(['query', 'status_code_class'], 'value is not a valid enumeration member', 'type_error.enum')
    if (codeClass === '0') attemptWhere.push('response_status IS NULL')
    else {
      attemptWhere.push('response_status >= ? AND response_status < ?')
      params.push(Number(codeClass), Number(codeClass) + 100)
    }
  }
  const result = paginate<Record<string, unknown> & {id: string}>(
    db,
    {table: 'delivery_attempts', where: attemptWhere, params},
    page,
  )
  const cache = new Map<string, Delivery | undefined>()
  const rows = result.content.map((row) => {
    const attempt = attempts.fromRow(row)
    if (!cache.has(attempt.delivery_id))
      cache.set(attempt.delivery_id, deliveries.find(db, ['id = ?'], [attempt.delivery_id])[0])
    return {id: attempt.id, attempt, delivery: cache.get(attempt.delivery_id)!}
  })
  return {content: rows, pagination: result.pagination}
}

export function addMessageRoutes(router: Router<SvixContext>): void {
  router.add('GET', '/api/v1/app/:app/msg', ({api, project}, {params, query}) => {
    const app = requireApp(api.db, project.id, params.app)
    const page = svixPageQuery(query)
    const withContent = queryBool(query, 'with_content') ?? true
    return svixResult(
      200,
      listOut(listMessages(api.db, app, page, messageFilter(query)), page, (e) => messageOut(e, withContent)),
    )
  })

  router.add('POST', '/api/v1/app/:app/msg', async ({api, project}, {params, body, query}) => {
    const input = SvixInput.body(body)
    const eventType = input.name('eventType', {required: true})
    const payload = input.object('payload')
    if (!payload)
      throw invalid(
        ['body', 'payload'],
        input.has('payload') ? 'value is not a valid dict' : 'field required',
        input.has('payload') ? 'type_error.dict' : 'value_error.missing',
      )
    const eventId = input.name('eventId') ?? null
    const channels = input.names('channels', {maxItems: 10, maxLength: 128}) ?? null
    input.int('payloadRetentionPeriod', {min: 5, max: 90})
    const inline = input.nested('application')
    const appFields = inline ? readApp(inline, true) : undefined
    const withContent = queryBool(query, 'with_content') ?? true
    const stored = await api.write(() => {
      // `application` creates the app (uid = the path) when it does not exist; ignored otherwise.
      let app = findApp(api.db, project.id, params.app)
      if (!app && appFields) {
        const uid = SvixInput.body({uid: params.app}, ['path']).name('uid', {required: true})
        app = createApp(api.db, project.id, {...appFields, name: appFields.name ?? params.app, uid})
      }
      if (!app) throw notFound(`application ${params.app}`)
      return createMessage(api.db, project, app, {eventType, payload, eventId, channels})
    })
    announceStored(api.events, project.id, stored)
    return svixResult(202, messageOut(stored.event, withContent))
  })

  router.add('GET', '/api/v1/app/:app/msg/:msg', ({api, project}, {params, query}) => {
    const app = requireApp(api.db, project.id, params.app)
    return svixResult(
      200,
      messageOut(requireMessage(api.db, app, params.msg), queryBool(query, 'with_content') ?? true),
    )
  })

  router.add('DELETE', '/api/v1/app/:app/msg/:msg/content', async ({api, project}, {params}) => {
    const message = requireMessage(api.db, requireApp(api.db, project.id, params.app), params.msg)
    await api.write(() => expungeMessage(api.db, message))
    return svixResult(204)
  })

  router.add('GET', '/api/v1/app/:app/msg/:msg/endpoint', ({api, project}, {params, query}) => {
    const app = requireApp(api.db, project.id, params.app)
    const message = requireMessage(api.db, app, params.msg)
    const page = svixPageQuery(query)
    const list = endpoints.page(
      api.db,
      ['project_id = ?', 'id IN (SELECT endpoint_id FROM deliveries WHERE event_id = ?)'],
      [project.id, message.id],
      page,
    )
    return svixResult(
      200,
      listOut(list, page, (ep) => messageEndpointOut(ep, latestDelivery(api.db, message.id, ep.id)!)),
    )
  })

  router.add('POST', '/api/v1/app/:app/msg/:msg/endpoint/:endpoint/resend', async ({api, project}, {params}) => {
    const app = requireApp(api.db, project.id, params.app)
    const message = requireMessage(api.db, app, params.msg)
    const endpoint = requireSvixEndpoint(api.db, app, params.endpoint)
    await api.write(() => resendMessage(api.db, message, endpoint))
    api.events.emit('deliveries.scheduled', {projectId: project.id})
    return svixResult(202, {})
  })

  const requireAttempt = ({api, project}: SvixContext, params: Record<string, string>) => {
    const message = requireMessage(api.db, requireApp(api.db, project.id, params.app), params.msg)
    const attempt = attempts.get(api.db, project.id, params.attempt)
    const delivery = attempt && deliveries.get(api.db, project.id, attempt.delivery_id)
    if (!attempt || !delivery || delivery.event_id !== message.id) throw notFound(`attempt ${params.attempt}`)
    return {attempt, delivery}
  }

  router.add('GET', '/api/v1/app/:app/msg/:msg/attempt/:attempt', (ctx, {params}) => {
    const {attempt, delivery} = requireAttempt(ctx, params)
    return svixResult(200, attemptOut(attempt, delivery))
  })

  router.add('DELETE', '/api/v1/app/:app/msg/:msg/attempt/:attempt/content', async (ctx, {params}) => {
    const {attempt} = requireAttempt(ctx, params)
    await ctx.api.write(() => attempts.update(ctx.api.db, {...attempt, response_body: null, response_headers: null}))
    return svixResult(204)
  })

  // Attempts by endpoint and by message: one listing, scoped by what the path names.
  const attemptsOf =
    (scope: (ctx: SvixContext, app: SvixApp, params: Record<string, string>) => AttemptScope) =>
    (ctx: SvixContext, {params, query}: ApiRequest) => {
      const app = requireApp(ctx.api.db, ctx.project.id, params.app)
      const page = svixPageQuery(query)
      const list = attemptPage(ctx.api.db, app, page, query, scope(ctx, app, params))
      return svixResult(
        200,
        listOut(list, page, (r) => attemptOut(r.attempt, r.delivery)),
      )
    }
  router.add(
    'GET',
    '/api/v1/app/:app/attempt/endpoint/:endpoint',
    attemptsOf(({api}, app, params) => ({endpointId: requireSvixEndpoint(api.db, app, params.endpoint).id})),
  )
  router.add(
    'GET',
    '/api/v1/app/:app/attempt/msg/:msg',
    attemptsOf(({api}, app, params) => ({eventId: requireMessage(api.db, app, params.msg).id})),
  )

  router.add('GET', '/api/v1/app/:app/endpoint/:endpoint/msg', ({api, project}, {params, query}) => {
    const app = requireApp(api.db, project.id, params.app)
    const endpoint = requireSvixEndpoint(api.db, app, params.endpoint)
    const page = svixPageQuery(query)
    const withContent = queryBool(query, 'with_content') ?? true
    const msg = messageWhere(messageFilter(query))
    const statuses = statusFilter(query)
    const list = events.page(
      api.db,
      [
        'project_id = ?',
        'app_id = ?',
        `id IN (SELECT d.event_id FROM deliveries d WHERE d.endpoint_id = ? AND ${LATEST}${statuses ? ` AND d.status IN (${statuses.map(() => '?').join(',')})` : ''})`,
        ...msg.where,
      ],
      [project.id, app.id, endpoint.id, ...(statuses ?? []), ...msg.params],
      page,
    )
    return svixResult(
      200,
      listOut(list, page, (e) => endpointMessageOut(e, latestDelivery(api.db, e.id, endpoint.id)!, withContent)),
    )
  })
}
