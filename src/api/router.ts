import type {IncomingMessage} from 'node:http'

import {isOpaqueId} from './http.js'

export interface RouteMatch<C> {
  handler: Handler<C>
  params: Record<string, string>
}

export interface ApiRequest {
  req: IncomingMessage
  params: Record<string, string>
  query: URLSearchParams
  /** The parsed JSON body (`{}` when empty). */
  body: unknown
}

export interface ApiResult {
  status: number
  message: string
  data?: unknown
}

export type Handler<C> = (ctx: C, request: ApiRequest) => ApiResult | Promise<ApiResult>

interface Route<C> {
  method: string
  parts: string[]
  handler: Handler<C>
}

/** A minimal path router: literal segments and `:name` parameters. */
export class Router<C> {
  private readonly routes: Route<C>[] = []

  add(method: string, path: string, handler: Handler<C>): this {
    this.routes.push({method, parts: path.split('/').filter(Boolean), handler})
    return this
  }

  /**
   * The matching route, `'method'` when the path exists under another method, or undefined.
   * `segments` are the request path's decoded segments (see parseRequestTarget); a trailing
   * slash is ignored, an empty segment anywhere else matches nothing.
   */
  match(method: string, segments: string[]): RouteMatch<C> | 'method' | undefined {
    const parts = [...segments]
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
    let pathExists = false
    let best: {route: Route<C>; params: Record<string, string>} | undefined
    for (const route of this.routes) {
      const params = matchParts(route.parts, parts)
      if (!params) continue
      pathExists = true
      if (route.method !== method) continue
      if (!best || moreSpecific(route.parts, best.route.parts)) best = {route, params}
    }
    if (best) return {handler: best.route.handler, params: best.params}
    return pathExists ? 'method' : undefined
  }
}

/**
 * Fixed segments win over parameters, left to right (as in Convoy's router): so
 * `/events/countbatchreplayevents` is that route, never the event with that id, whatever
 * order the routes were added in.
 */
function moreSpecific(a: string[], b: string[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const aParam = a[i].startsWith(':')
    const bParam = b[i].startsWith(':')
    if (aParam !== bParam) return bParam
  }
  return false
}

function matchParts(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      // `..`, `.`, '' or a decoded `/` is never an id: a missing resource, not its parent.
      if (!isOpaqueId(parts[i])) return undefined
      params[pattern[i].slice(1)] = parts[i]
    } else if (pattern[i] !== parts[i]) {
      return undefined
    }
  }
  return params
}
