import {existsSync, readFileSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {dirname, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {HttpError} from '../errors.js'

/** The browser apps the relay serves, each from dist/web/{name}/ (built by scripts/bundle-web.mjs). */
export type WebApp = 'ui' | 'portal'

/**
 * Who may frame the portal when nothing is configured: the relay itself and local dev
 * servers (a SaaS's app on localhost embedding it). A public relay names its origins.
 */
// No `http://[::1]:*`: Chromium rejects IPv6 literals in CSP sources (a console error on every load).
export const DEFAULT_PORTAL_ORIGINS = ["'self'", 'http://localhost:*', 'http://127.0.0.1:*']

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
}

/** dist/web, whether this module runs compiled (dist/src/web) or from source (src/web, tests). */
function webRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url))
  for (const rel of ['../../web', '../../dist/web']) {
    const dir = resolve(here, rel)
    // sizes.json is written by the build: the source tree's web/ holds templates only.
    if (existsSync(resolve(dir, 'sizes.json'))) return dir
  }
  return resolve(here, '../../dist/web')
}

/** An origin as a CSP source: `https://app.example.com`, `http://localhost:*`; anything else is refused. */
export function parsePortalOrigin(text: string): string {
  const value = text.trim()
  if (value === "'self'" || value === 'self') return "'self'"
  const match = /^(https?):\/\/([a-z0-9.-]+|\*\.[a-z0-9.-]+|\[[0-9a-f:]+\])(:(\d{1,5}|\*))?$/i.exec(value)
  if (!match) throw new Error(`"${text}" is not an origin (scheme://host[:port], e.g. https://app.example.com)`)
  return value.toLowerCase()
}

function securityHeaders(app: WebApp, frameAncestors: string[]): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // The portal shows the host's icon (svix-react's `icon`), which lives on the host's site.
    app === 'portal' ? "img-src 'self' data: https:" : "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${app === 'ui' ? "'none'" : frameAncestors.join(' ')}`,
  ].join('; ')
  return {
    'content-security-policy': csp,
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
    ...(app === 'ui' ? {'x-frame-options': 'DENY'} : {}),
  }
}

/**
 * Serves one browser app under `/{app}`: hashed assets from `/{app}/assets/` cached for a
 * year (their names change with their content), and `index.html` — never cached — for every
 * other path (the app routes by path). GET and HEAD only.
 */
export function createWebHandler(app: WebApp, opts: {portalOrigins?: string[]} = {}) {
  const dir = resolve(webRoot(), app)
  const headers = securityHeaders(app, opts.portalOrigins?.length ? opts.portalOrigins : DEFAULT_PORTAL_ORIGINS)
  const cache = new Map<string, Buffer>()
  const read = (file: string): Buffer | undefined => {
    let bytes = cache.get(file)
    if (!bytes) {
      try {
        bytes = readFileSync(resolve(dir, file))
      } catch {
        return undefined
      }
      cache.set(file, bytes)
    }
    return bytes
  }
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD')
      throw new HttpError(405, `method ${req.method} is not allowed on /${app}`)
    }
    const rest = url.pathname.slice(app.length + 1)
    if (rest === '') {
      // `/ui` → `/ui/`: the app's relative paths and its routes start there.
      res.writeHead(308, {location: `/${app}/${url.search}`, ...headers}).end()
      return
    }
    const asset = /^\/assets\/([A-Za-z0-9_.-]+)$/.exec(rest)?.[1]
    if (asset !== undefined || rest.startsWith('/assets/')) {
      const bytes = asset && !asset.startsWith('.') ? read(`assets/${asset}`) : undefined
      if (!bytes) throw new HttpError(404, `no such asset: ${url.pathname.slice(0, 200)}`)
      res.writeHead(200, {
        ...headers,
        'content-type': TYPES[asset!.split('.').pop()!] ?? 'application/octet-stream',
        'content-length': bytes.length,
        'cache-control': 'public, max-age=31536000, immutable',
      })
      res.end(req.method === 'HEAD' ? undefined : bytes)
      return
    }
    const page = read('index.html')
    if (!page) throw new HttpError(503, `the ${app === 'ui' ? 'dashboard' : 'portal'} is not built: run npm run build`)
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-length': page.length,
      'cache-control': 'no-cache',
    })
    res.end(req.method === 'HEAD' ? undefined : page)
  }
}
