import type {IncomingMessage, ServerResponse} from 'node:http'

import {HttpError, httpErrorFor, STORE_RETRY_AFTER_SECONDS} from '../errors.js'
import {lookupApiKey} from '../store/projects.js'
import type {ApiContext, AuthedRequest} from './context.js'
import {
  API_BODY_LIMIT,
  bearerToken,
  errorEnvelope,
  parseJson,
  parseRequestTarget,
  pathSegments,
  readBody,
  sendJson,
} from './http.js'
import {addConvoyEventTypeRoutes} from './routes-event-types.js'
import {addEventRoutes} from './routes-events.js'
import {addListenerRoutes} from './routes-listeners.js'
import {addManagementRoutes} from './routes-management.js'
import {addMetaEventRoutes} from './routes-meta-events.js'
import {addFunctionRoutes} from './routes-functions.js'
import {addOnboardRoutes} from './routes-onboard.js'
import {addPortalLinkRoutes} from './routes-portal-links.js'
import {addReplayEditedRoute} from './routes-replay-edited.js'
import {addSubscriptionFilterRoutes} from './routes-subscription-filters.js'
import {addSummaryRoutes} from './routes-summary.js'
import {Router} from './router.js'
import {handleSvix, isSvixPath} from './svix/server.js'

export type RawHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>

export function buildApiRouter(): Router<ApiContext> {
  const router = new Router<ApiContext>()
  addManagementRoutes(router)
  addSubscriptionFilterRoutes(router)
  addMetaEventRoutes(router)
  addPortalLinkRoutes(router)
  addOnboardRoutes(router)
  addFunctionRoutes(router)
  addEventRoutes(router)
  addReplayEditedRoute(router)
  addListenerRoutes(router)
  addConvoyEventTypeRoutes(router)
  addSummaryRoutes(router)
  return router
}

/**
 * The relay's HTTP entry: `/healthz`, the Convoy-shaped `/api/v1` and any extra prefix
 * handlers (ingest, stream). Every error answers in Convoy's envelope.
 */
export function createRequestHandler(ctx: ApiContext, extra: Record<string, RawHandler> = {}) {
  const router = buildApiRouter()
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      // Parsing the target is the first step inside the try: a malformed one is a 400.
      const target = parseRequestTarget(req.url)
      const shownPath = target.path.length > 200 ? `${target.path.slice(0, 200)}…` : target.path
      if (target.path === '/healthz' || target.path === '/health') {
        const facts = ctx.status()
        // A store that cannot take writes makes the relay unhealthy (503) until it recovers.
        const storeFailing = (facts.store as {status?: string} | undefined)?.status === 'failing'
        if (storeFailing) res.setHeader('retry-after', String(STORE_RETRY_AFTER_SECONDS))
        sendJson(res, storeFailing ? 503 : 200, {
          status: !storeFailing,
          message: storeFailing ? 'Caravan relay is up but its store is failing' : 'Caravan relay is healthy',
          data: {
            version: ctx.version,
            uptime_seconds: Math.round((Date.now() - ctx.startedAt) / 1000),
            ...facts,
          },
        })
        return
      }
      for (const [prefix, handler] of Object.entries(extra)) {
        if (target.path === prefix || target.path.startsWith(prefix + '/')) {
          // The host is fixed, so this URL cannot be re-rooted by a `//host` path.
          const url = new URL(`http://relay.local${target.path}${target.search ? `?${target.search}` : ''}`)
          await handler(req, res, url)
          return
        }
      }
      if (!target.path.startsWith('/api/')) throw new HttpError(404, `no such route: ${req.method} ${shownPath}`)
      const segments = pathSegments(target.path)
      // Svix's API shares /api/v1 with Convoy's: its own roots (app, event-type, …), its own shapes.
      if (isSvixPath(segments)) {
        await handleSvix(ctx, req, res, target, segments)
        return
      }

      // Authenticated before the route is looked up: strangers learn nothing about which paths exist.
      const key = bearerToken(req)
      if (!key) throw new HttpError(401, 'missing API key: send "Authorization: Bearer <key>"')
      const scope = lookupApiKey(ctx.db, key)
      if (!scope) throw new HttpError(401, 'invalid API key')

      const match = router.match(req.method ?? 'GET', segments)
      if (match === undefined) throw new HttpError(404, `no such route: ${req.method} ${shownPath}`)
      if (match === 'method') throw new HttpError(405, `method ${req.method} is not allowed on ${shownPath}`)

      const raw =
        req.method === 'GET' || req.method === 'DELETE' ? Buffer.alloc(0) : await readBody(req, API_BODY_LIMIT)
      const request: AuthedRequest = {
        req,
        params: match.params,
        query: target.query,
        body: parseJson(raw),
        keyProject: scope.projectId,
      }
      const result = await match.handler(ctx, request)
      sendJson(
        res,
        result.status,
        result.data === undefined
          ? {status: true, message: result.message}
          : {status: true, message: result.message, data: result.data},
      )
    } catch (error) {
      if (res.headersSent) {
        res.destroy(error as Error)
        return
      }
      const known = httpErrorFor(error)
      if (known) {
        if (known.status === 413) res.setHeader('connection', 'close')
        if (known.retryAfter !== undefined) res.setHeader('retry-after', String(known.retryAfter))
        sendJson(res, known.status, errorEnvelope(known.message))
        return
      }
      sendJson(res, 500, errorEnvelope(`internal error: ${(error as Error).message}`))
    }
  }
  // Last guard: answering the error itself failed (socket gone); never leave a rejection behind.
  return (req: IncomingMessage, res: ServerResponse): Promise<void> =>
    handle(req, res).catch(() => {
      res.destroy()
    })
}
