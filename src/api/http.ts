import type {IncomingMessage, ServerResponse} from 'node:http'

import {HttpError} from '../errors.js'
import {jsonDepth, MAX_JSON_DEPTH} from '../store/json.js'

export const API_BODY_LIMIT = 10 * 1024 * 1024

/** Read a request body up to `limit` bytes; above it, answer 413 without buffering the rest. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      req.resume()
      reject(new HttpError(413, `request body is ${declared} bytes, above the limit of ${limit} bytes`))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        reject(new HttpError(413, `request body is above the limit of ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size))
    })
    req.on('error', reject)
  })
}

/**
 * A request target as sent: the path is never dot-normalised (WHATWG `new URL()` turns
 * `/x/%2e%2e` into `/`, so `..` would climb to the parent resource); pathSegments decodes
 * each segment on its own, so a decoded `/` stays inside its segment.
 */
export interface RequestTarget {
  /** The path exactly as sent, percent-encoding kept. */
  path: string
  /** The query string without its `?`. */
  search: string
  query: URLSearchParams
}

const shown = (text: string): string => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text)

/**
 * Parse `req.url` (origin-form `/p?q`, or absolute-form `http://host:port/p?q`, whose
 * authority must be well-formed but is otherwise ignored: the relay serves one host). Anything malformed is a 400, never a throw
 * of another kind, so no request target can take the relay down.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget {
  let target = raw ?? '/'
  const hash = target.indexOf('#')
  if (hash >= 0) target = target.slice(0, hash)
  if (!target.startsWith('/')) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(target)
    if (!scheme) throw new HttpError(400, `bad request target ${shown(target)}: expected a path starting with "/"`)
    const rest = target.slice(scheme[0].length)
    const end = rest.search(/[/?]/)
    const authority = end < 0 ? rest : rest.slice(0, end)
    const port = /^(?:[^@/]*@)?(?:\[[0-9a-f:.]*\]|[^:@[\]]*)(?::(\d*))?$/i.exec(authority)
    if (!port || (port[1] && Number(port[1]) > 65_535))
      throw new HttpError(400, `bad request target ${shown(target)}: malformed host or port`)
    target = end < 0 ? '/' : rest[end] === '?' ? `/${rest.slice(end)}` : rest.slice(end)
  }
  const q = target.indexOf('?')
  const path = q < 0 ? target : target.slice(0, q)
  const search = q < 0 ? '' : target.slice(q + 1)
  return {path, search, query: new URLSearchParams(search)}
}

/** A path's segments after the leading `/`, each percent-decoded on its own (400 when malformed). */
export function pathSegments(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment)
      } catch {
        throw new HttpError(400, `bad percent-encoding in request path segment ${shown(segment)}`)
      }
    })
}

/** Ids are opaque single path segments: these can never name a resource. */
export function isOpaqueId(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !segment.includes('/')
}

/** One level for the request object around what gets stored (e.g. an event's `data`). */
export const API_JSON_DEPTH = MAX_JSON_DEPTH + 1

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {}
  const text = body.toString('utf8')
  // Checked before parsing: whatever is accepted is stored, then serialised on every read.
  if (jsonDepth(text, API_JSON_DEPTH) > API_JSON_DEPTH)
    throw new HttpError(400, `request body nests deeper than ${API_JSON_DEPTH} levels`)
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`)
  }
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is none. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1]
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = Buffer.from(JSON.stringify(payload))
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': body.length})
  res.end(body)
}

/** Convoy's envelope: `{status, message, data}`. */
export function envelope(message: string, data?: unknown): {status: boolean; message: string; data?: unknown} {
  return data === undefined ? {status: true, message} : {status: true, message, data}
}

export function errorEnvelope(message: string): {status: false; message: string} {
  return {status: false, message}
}
