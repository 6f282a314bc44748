import type {IncomingMessage, ServerResponse} from 'node:http'

import {HttpError, httpErrorFor} from '../../errors.js'
import {revokePortalToken} from '../../portal/tokens.js'
import {getProject, lookupApiKey} from '../../store/projects.js'
import type {Project} from '../../store/types.js'
import type {ApiContext} from '../context.js'
import {API_BODY_LIMIT, API_JSON_DEPTH, bearerToken, readBody, type RequestTarget, sendJson} from '../http.js'
import {jsonDepth} from '../../store/json.js'
import {Router} from '../router.js'
import {claimIdempotent, recordIdempotent} from './idempotency.js'
import {verifyJwt} from './jwt.js'
import {addAppRoutes} from './routes-apps.js'
import {addEndpointRoutes} from './routes-endpoints.js'
import {addEventTypeRoutes} from './routes-event-types.js'
import {addMessageRoutes} from './routes-messages.js'
import type {SvixContext} from './types.js'
import {invalid, SvixValidationError} from './validate.js'

/** First path segments under /api/v1 that belong to Svix's API (the rest is Convoy's). */
const SVIX_ROOTS = new Set([
  'app',
  'auth',
  'event-type',
  'health',
  'background-task',
  'connector',
  'environment',
  'operational-webhook',
  'stats',
  'stream',
])

/** Operations of Svix's cloud that this server does not serve: answered with a clear 501. */
const CLOUD_ONLY: [RegExp, string][] = [
  [/^app\/[^/]+\/integration(\/|$)/, 'integrations'],
  [/^app\/[^/]+\/poller(\/|$)/, 'polling endpoints'],
  [
    /^app\/[^/]+\/endpoint\/[^/]+\/(transformation|bulk-replay|replay-missing)$/,
    'endpoint transformations and bulk replays',
  ],
  [/^app\/[^/]+\/msg\/(expunge-all-contents|precheck\/active)$/, 'bulk message operations'],
  [/^auth\/(dashboard-access|stream|stream-portal-access|stream-logout)(\/|$)/, 'dashboard and stream authentication'],
  [/^event-type\/import\/openapi$/, 'event type import from OpenAPI'],
  [/^background-task(\/|$)/, 'background tasks'],
  [/^connector(\/|$)/, 'connectors'],
  [/^environment(\/|$)/, 'environment export/import'],
  [
    /^operational-webhook(\/|$)/,
    'operational webhook endpoints (operational webhooks go to the project meta-event URL)',
  ],
  [/^stats(\/|$)/, 'usage statistics'],
  [/^stream(\/|$)/, 'streams'],
]

export function isSvixPath(segments: string[]): boolean {
  return segments[0] === 'api' && segments[1] === 'v1' && SVIX_ROOTS.has(segments[2])
}

let router: Router<SvixContext> | undefined
function svixRouter(): Router<SvixContext> {
  if (router) return router
  router = new Router<SvixContext>()
  addAppRoutes(router)
  addEndpointRoutes(router)
  addMessageRoutes(router)
  addEventTypeRoutes(router)
  return router
}

const CODES: Record<number, string> = {
  400: 'generic_error',
  401: 'authentication_failed',
  403: 'permission_denied',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  501: 'not_supported',
  503: 'service_unavailable',
}

function sendError(res: ServerResponse, status: number, detail: string, retryAfter?: number): void {
  if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter))
  if (status === 413) res.setHeader('connection', 'close')
  sendJson(res, status, {code: CODES[status] ?? 'generic_error', detail})
}

/**
 * The Svix environment a token opens: a relay API key (a project key: its project; the
 * admin key: the default project), or with --svix-jwt-secret an HS256 JWT whose `sub`
 * names a project (any other `sub`, such as svix-server's `org_…`: the default project).
 */
function authenticate(ctx: ApiContext, req: IncomingMessage): Project {
  const token = bearerToken(req)
  if (!token) throw new HttpError(401, 'missing token: send "Authorization: Bearer <token>"')
  const settings = ctx.svix
  const fallback = settings?.defaultProjectId
  let projectId: string | undefined
  const key = lookupApiKey(ctx.db, token)
  if (key) projectId = key.projectId ?? fallback
  else if (settings?.jwtSecret) {
    const claims = verifyJwt(token, settings.jwtSecret)
    if (claims) projectId = typeof claims.sub === 'string' && getProject(ctx.db, claims.sub) ? claims.sub : fallback
  }
  if (!key && projectId === undefined) throw new HttpError(401, 'invalid token')
  const project = projectId ? getProject(ctx.db, projectId) : undefined
  if (!project) throw new HttpError(403, "the token's project (Svix environment) no longer exists")
  return project
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return {}
  const text = raw.toString('utf8')
  if (jsonDepth(text, API_JSON_DEPTH) > API_JSON_DEPTH)
    throw invalid(['body'], `request body nests deeper than ${API_JSON_DEPTH} levels`, 'value_error.jsondecode')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw invalid(['body'], `invalid JSON: ${(error as Error).message}`, 'value_error.jsondecode')
  }
}

/**
 * Svix's API: `/api/v1/{app,event-type,health,auth,…}`. Every request but the health check is
 * authenticated before its route is looked up, so unknown paths answer 401 to strangers.
 */
export async function handleSvix(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
  segments: string[],
): Promise<void> {
  try {
    const method = req.method ?? 'GET'
    const rest = segments.slice(2).join('/').replace(/\/+$/, '')
    if (rest === 'health' && (method === 'GET' || method === 'HEAD')) {
      res.writeHead(204).end()
      return
    }
    // Svix's logout takes the portal session's own token (it ends that session).
    const token = bearerToken(req)
    if (rest === 'auth/logout' && method === 'POST' && token && !lookupApiKey(ctx.db, token)) {
      if (await ctx.write(() => revokePortalToken(ctx.db, token))) {
        res.writeHead(204).end()
        return
      }
    }
    const project = authenticate(ctx, req)
    const match = svixRouter().match(method, segments)
    if (match === undefined) {
      const cloud = CLOUD_ONLY.find(([re]) => re.test(rest))
      if (cloud)
        throw new HttpError(
          501,
          `${method} ${target.path}: ${cloud[1]} are a Svix cloud feature, not supported by this server`,
        )
      throw new HttpError(404, `no such route: ${method} ${target.path.slice(0, 200)}`)
    }
    if (match === 'method') throw new HttpError(405, `method ${method} is not allowed on ${target.path.slice(0, 200)}`)
    const raw =
      method === 'GET' || method === 'DELETE' || method === 'HEAD'
        ? Buffer.alloc(0)
        : await readBody(req, API_BODY_LIMIT)
    const body = parseBody(raw)
    const keyHeader = method === 'POST' ? req.headers['idempotency-key'] : undefined
    // Bounded: a key is stored with the answer.
    const idempotencyKey = typeof keyHeader === 'string' ? keyHeader.slice(0, 1000) : undefined
    const requestKey = `${method} ${target.path}?${target.search}`
    if (typeof idempotencyKey === 'string' && idempotencyKey) {
      const earlier = claimIdempotent(ctx.db, project.id, idempotencyKey, requestKey)
      if (earlier) {
        if (earlier.status === 204) res.writeHead(204).end()
        else sendJson(res, earlier.status, earlier.body)
        return
      }
    }
    const result = await match.handler(
      {api: ctx, project, operational: ctx.svix?.operational},
      {req, params: match.params, query: target.query, body},
    )
    if (typeof idempotencyKey === 'string' && idempotencyKey)
      await ctx.write(() =>
        recordIdempotent(ctx.db, project.id, idempotencyKey, requestKey, result.status, result.data ?? null),
      )
    if (result.data === undefined) res.writeHead(result.status).end()
    else sendJson(res, result.status, result.data)
  } catch (error) {
    if (res.headersSent) {
      res.destroy(error as Error)
      return
    }
    if (error instanceof SvixValidationError) {
      sendJson(res, 422, {detail: error.detail})
      return
    }
    const known = httpErrorFor(error)
    if (known) {
      sendError(res, known.status, known.message, known.retryAfter)
      return
    }
    sendError(res, 500, `internal error: ${(error as Error).message}`)
  }
}
