import {CaravanError} from '../errors.js'

/**
 * `localhost:3000`, `:3000`, `3000`, `localhost:3000/webhooks` or a full URL → URL.
 * Bare hosts get http:// (this is a developer's local app).
 */
export function parseTarget(input: string): URL {
  const text = input.trim()
  let candidate = text
  if (/^\d+(?:[/?#]|$)/.test(text)) candidate = `http://localhost:${text}`
  else if (/^:\d+/.test(text)) candidate = `http://localhost${text}`
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) candidate = `http://${text}`
  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    throw new CaravanError('CARAVAN_ERR_CONFIG', `--forward: "${input}" is not a URL, host:port or port`, {hint: 'e.g. --forward localhost:3000/webhooks'})
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CaravanError('CARAVAN_ERR_CONFIG', `--forward: only http and https targets are supported (got ${url.protocol})`)
  }
  if (!url.hostname) throw new CaravanError('CARAVAN_ERR_CONFIG', `--forward: "${input}" has no host`)
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new CaravanError('CARAVAN_ERR_CONFIG', `--forward: port ${url.port} is out of range`)
  return url
}

/** Where one event goes: the target path, plus the path suffix it arrived with (or --path), plus its query. */
export function forwardUrl(target: URL, event: {path: string; query: string}, pathOverride?: string): string {
  const url = new URL(target.toString())
  if (pathOverride !== undefined) {
    url.pathname = pathOverride.startsWith('/') ? pathOverride : `/${pathOverride}`
  } else if (event.path) {
    url.pathname = url.pathname.replace(/\/+$/, '') + (event.path.startsWith('/') ? event.path : `/${event.path}`)
  }
  if (event.query) {
    const merged = new URLSearchParams(url.search)
    for (const [k, v] of new URLSearchParams(event.query)) merged.append(k, v)
    url.search = merged.toString()
  }
  return url.toString()
}
