import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'

import type {Db} from '../store/db.js'
import {getProject, lookupApiKey} from '../store/projects.js'
import type {Project} from '../store/types.js'

export function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({status: false, message})
  const reason = status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : 'Bad Request'
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
}

/**
 * Check a WebSocket upgrade's Bearer key against the project it names; answers the
 * socket itself (401/404) and returns undefined when refused.
 */
export function authorizeUpgrade(db: Db, req: IncomingMessage, socket: Duplex, projectId: string): Project | undefined {
  const key = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]
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
