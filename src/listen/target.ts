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
  const notUrl = () =>
    new CaravanError('CARAVAN_ERR_CONFIG', `--forward: "${input}" is not a URL, host:port or port`, {
      hint: 'e.g. --forward localhost:3000/webhooks',
    })
  // A mistyped scheme (`ht!tp://`) must not become a host name.
  if (text.includes('://') && candidate === `http://${text}`) throw notUrl()
  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    throw notUrl()
  }
  if (url.hostname && !/^(?:\[[0-9a-f:.]+\]|[a-z0-9_.-]+)$/i.test(url.hostname)) throw notUrl()
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CaravanError(
      'CARAVAN_ERR_CONFIG',
      `--forward: only http and https targets are supported (got ${url.protocol})`,
    )
  }
  if (!url.hostname) throw new CaravanError('CARAVAN_ERR_CONFIG', `--forward: "${input}" has no host`)
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80))
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new CaravanError('CARAVAN_ERR_CONFIG', `--forward: port ${url.port} is out of range`)
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
  // The query is appended as received: re-encoding it (`%20` → `+`) breaks apps that sign the URL.
  url.hash = ''
  const base = url.toString()
  if (!event.query) return base
  return url.search ? `${base}&${event.query}` : `${base.replace(/\?$/, '')}?${event.query}`
}
