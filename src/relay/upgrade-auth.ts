import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import {bearerToken, isOpaqueId, parseRequestTarget, pathSegments, type RequestTarget} from '../api/http.js'
import type {Db} from '../store/db.js'
import {getProject, lookupApiKey} from '../store/projects.js'
import type {Project} from '../store/types.js'

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = JSON.stringify({status: false, message})
  const reason = REASONS[status] ?? 'Bad Request'
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}

/**
 * The project id of an upgrade to `/api/v1/projects/{id}/{resource}` (trailing slash allowed),
 * or undefined for another path or an id that is no opaque segment (`..`, `.`, a decoded `/`).
 * Throws HttpError 400 on a malformed target; the relay's upgrade handler answers it.
 */
export function upgradeProjectId(target: RequestTarget, resource: string): string | undefined {
  const parts = pathSegments(target.path)
  if (parts.length === 6 && parts[5] === '') parts.pop()
  if (parts.length !== 5 || parts[0] !== 'api' || parts[1] !== 'v1' || parts[2] !== 'projects') return undefined
  if (parts[4] !== resource || !isOpaqueId(parts[3])) return undefined
  return parts[3]
}

/** `req.url` parsed without normalising (see parseRequestTarget); HttpError 400 when malformed. */
export function upgradeTarget(req: IncomingMessage): RequestTarget {
  return parseRequestTarget(req.url)
}

/** The subprotocol a browser asks for on the feed; the key rides beside it as `caravan.key.<base64url>`. */
export const FEED_PROTOCOL = 'caravan.feed'
const KEY_PROTOCOL = 'caravan.key.'

/**
 * A browser cannot set `Authorization` on a WebSocket, but it can offer subprotocols: the
 * key comes as `caravan.key.<base64url(key)>` beside `caravan.feed` (the one the relay
 * answers with, so the key is never echoed). Not a URL query: URLs end up in logs.
 */
export function protocolKey(req: IncomingMessage): string | undefined {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim())
  if (!offered.includes(FEED_PROTOCOL)) return undefined
  const encoded = offered.find((p) => p.startsWith(KEY_PROTOCOL))?.slice(KEY_PROTOCOL.length)
  if (!encoded || !/^[A-Za-z0-9_-]{1,512}$/.test(encoded)) return undefined
  return Buffer.from(encoded, 'base64url').toString('utf8')
}

/**
 * Check a WebSocket upgrade's key against the project it names; answers the socket
 * itself (401/404) and returns undefined when refused. The key is the Bearer header's,
 * or with `browserKey` (the feed) also the subprotocol's (see protocolKey).
 */
export function authorizeUpgrade(
  db: Db,
  req: IncomingMessage,
  socket: Duplex,
  projectId: string,
  opts: {browserKey?: boolean} = {},
): Project | undefined {
  const key = bearerToken(req) ?? (opts.browserKey ? protocolKey(req) : undefined)
  const scope = key ? lookupApiKey(db, key) : undefined
  if (!scope) {
    rejectUpgrade(socket, 401, key ? 'invalid API key' : 'missing API key: send "Authorization: Bearer <key>"')
    return undefined
  }
  if (scope.projectId !== null && scope.projectId !== projectId) {
    rejectUpgrade(socket, 401, `this API key is not valid for project ${projectId}`)
    return undefined
  }
  const project = getProject(db, projectId)
  if (!project) rejectUpgrade(socket, 404, `project ${projectId} not found`)
  return project
}
