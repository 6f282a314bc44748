import type {IncomingMessage, ServerResponse} from 'node:http'

import type {ApiContext} from '../api/context.js'
import {pageQuery} from '../api/context.js'
import {API_BODY_LIMIT, bearerToken, parseJson, pathSegments, readBody, sendJson} from '../api/http.js'
import {type ApiRequest, Router} from '../api/router.js'
import {Input} from '../core/input.js'
import {parseDate} from '../core/windows.js'
import {HttpError} from '../errors.js'
import {announceStored} from '../relay/relay-events.js'
import type {Endpoint} from '../store/types.js'
import type {EndpointOperation} from '../svix/operational.js'
import {
  createScopeEndpoint,
  deleteScopeEndpoint,
  portalEndpointJson,
  readEndpointFields,
  rotateScopeSecret,
  scopeSecret,
  updateScopeEndpoint,
} from './endpoints.js'
import {
  catalogue,
  listScopeMessages,
  recoverScopeEndpoint,
  resendScopeDelivery,
  scopeMessage,
  sendScopeExample,
} from './messages.js'
import {
  openPortalSession,
  type PortalSession,
  requireCapability,
  scopeEndpoint,
  scopeEndpoints,
  scopeName,
} from './session.js'
import type {Capability} from './tokens.js'

/** The customer portal's own API, under this prefix: every call carries a portal token. */
export const PORTAL_API_PREFIX = '/portal-api'

interface PortalCall {
  ctx: ApiContext
  session: PortalSession
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
}

type PortalHandler = (call: PortalCall) => unknown | Promise<unknown>

const ok = (status: number, data?: unknown) => ({status, data})

/** Each route names the capability it needs; the session and scope are checked before it runs. */
function buildRouter(): Router<{ctx: ApiContext; session: PortalSession}> {
  const router = new Router<{ctx: ApiContext; session: PortalSession}>()
  const add = (method: string, path: string, capability: Capability | null, handler: PortalHandler) =>
    router.add(method, `${PORTAL_API_PREFIX}/v1${path}`, async ({ctx, session}, r: ApiRequest) => {
      if (capability) requireCapability(session, capability)
      const result = (await handler({ctx, session, params: r.params, query: r.query, body: r.body})) as {
        status: number
        data?: unknown
      }
      return {status: result.status, message: '', data: result.data}
    })
  const endpointOf = ({ctx, session, params}: PortalCall) => scopeEndpoint(ctx.db, session, params.endpoint)
  const changed = (call: PortalCall, endpoint: Endpoint, type: EndpointOperation) => {
    if (call.session.kind === 'svix_app')
      call.ctx.svix?.operational?.endpointChanged(call.session.project, call.session.app, endpoint, type)
  }

  add('GET', '/session', null, ({session}) =>
    ok(200, {
      kind: session.kind,
      name: scopeName(session),
      scope_id: session.kind === 'svix_app' ? session.app.id : session.link.id,
      capabilities: [...session.capabilities],
      read_only: session.readOnly,
      session_id: session.token.session_id,
      expires_at: session.token.expires_at === null ? null : new Date(session.token.expires_at).toISOString(),
    }),
  )

  add('GET', '/endpoints', 'ViewBase', ({ctx, session}) =>
    ok(200, {data: scopeEndpoints(ctx.db, session).map((e) => portalEndpointJson(ctx.db, e))}),
  )
  add('POST', '/endpoints', 'ManageEndpoint', async (call) => {
    const fields = readEndpointFields(call.body, true)
    const endpoint = await call.ctx.write(() =>
      createScopeEndpoint(call.ctx.db, call.session, fields, call.ctx.targets),
    )
    changed(call, endpoint, 'endpoint.created')
    return ok(201, portalEndpointJson(call.ctx.db, endpoint))
  })
  add('GET', '/endpoints/:endpoint', 'ViewBase', (call) => ok(200, portalEndpointJson(call.ctx.db, endpointOf(call))))
  add('PATCH', '/endpoints/:endpoint', 'ManageEndpoint', async (call) => {
    const endpoint = endpointOf(call)
    const fields = readEndpointFields(call.body, false)
    const updated = await call.ctx.write(() =>
      updateScopeEndpoint(call.ctx.db, call.session, endpoint, fields, call.ctx.targets),
    )
    if (updated.status === 'active' && endpoint.status !== 'active')
      call.ctx.events.emit('deliveries.scheduled', {projectId: call.session.project.id})
    changed(call, updated, 'endpoint.updated')
    return ok(200, portalEndpointJson(call.ctx.db, updated))
  })
  add('DELETE', '/endpoints/:endpoint', 'ManageEndpoint', async (call) => {
    const endpoint = endpointOf(call)
    await call.ctx.write(() => deleteScopeEndpoint(call.ctx.db, call.session, endpoint))
    changed(call, endpoint, 'endpoint.deleted')
    return ok(204)
  })
  add('GET', '/endpoints/:endpoint/secret', 'ViewEndpointSecret', (call) => {
    const key = scopeSecret(endpointOf(call))
    if (!key) throw new HttpError(404, 'the endpoint has no live secret')
    return ok(200, {key})
  })
  add('POST', '/endpoints/:endpoint/secret/rotate', 'ManageEndpointSecret', async (call) => {
    const endpoint = endpointOf(call)
    const rotated = await call.ctx.write(() => rotateScopeSecret(call.ctx.db, endpoint))
    // Only a session that may see secrets is shown the new one.
    const key = call.session.capabilities.has('ViewEndpointSecret') ? scopeSecret(rotated) : undefined
    return ok(200, {rotated: true, ...(key ? {key} : {})})
  })
  add('POST', '/endpoints/:endpoint/send-example', 'CreateAttempts', async (call) => {
    const endpoint = endpointOf(call)
    const eventType = Input.of(call.body).str('eventType', {required: true, max: 256})
    const stored = await call.ctx.write(() => sendScopeExample(call.ctx.db, call.session, endpoint, eventType))
    announceStored(call.ctx.events, call.session.project.id, stored)
    return ok(202, {message_id: stored.event.id, deliveries: stored.deliveries.length})
  })
  add('POST', '/endpoints/:endpoint/recover', 'CreateAttempts', async (call) => {
    const endpoint = endpointOf(call)
    const raw = Input.of(call.body).str('since', {required: true, max: 100})
    const since = new Date(parseDate(raw, 'since')).toISOString()
    const count = await call.ctx.write(() => recoverScopeEndpoint(call.ctx.db, call.session, endpoint, since))
    call.ctx.resetCircuit?.(endpoint.id)
    if (count) call.ctx.events.emit('deliveries.scheduled', {projectId: call.session.project.id})
    return ok(202, {recovered: count})
  })

  add('GET', '/event-types', 'ViewBase', ({ctx, session}) => ok(200, {data: catalogue(ctx.db, session)}))
  add('GET', '/messages', 'ViewBase', ({ctx, session, query}) =>
    ok(200, listScopeMessages(ctx.db, session, pageQuery(query), query.get('endpoint_id') || undefined)),
  )
  add('GET', '/messages/:message', 'ViewBase', ({ctx, session, params}) =>
    ok(200, scopeMessage(ctx.db, session, params.message)),
  )
  add('POST', '/deliveries/:delivery/resend', 'CreateAttempts', async (call) => {
    const delivery = await call.ctx.write(() => resendScopeDelivery(call.ctx.db, call.session, call.params.delivery))
    call.ctx.events.emit('deliveries.scheduled', {projectId: call.session.project.id})
    return ok(202, {delivery_id: delivery.id, status: delivery.status})
  })
  return router
}

/**
 * `/portal-api/v1/…`: what the portal's page calls. The session is opened from the Bearer
 * token before any route is looked up, so strangers learn nothing of the paths; errors
 * answer in Convoy's envelope (thrown to the relay's request handler).
 */
export function createPortalApiHandler(ctx: ApiContext) {
  const router = buildRouter()
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    res.setHeader('cache-control', 'no-store')
    const session = openPortalSession(ctx.db, bearerToken(req))
    const method = req.method ?? 'GET'
    const match = router.match(method, pathSegments(url.pathname))
    if (match === undefined) throw new HttpError(404, `no such route: ${method} ${url.pathname.slice(0, 200)}`)
    if (match === 'method') throw new HttpError(405, `method ${method} is not allowed on ${url.pathname.slice(0, 200)}`)
    const raw = method === 'GET' || method === 'DELETE' ? Buffer.alloc(0) : await readBody(req, API_BODY_LIMIT)
    const result = await match.handler(
      {ctx, session},
      {req, params: match.params, query: url.searchParams, body: parseJson(raw)},
    )
    if (result.data === undefined) res.writeHead(result.status).end()
    else sendJson(res, result.status, result.data)
  }
}
