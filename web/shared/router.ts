// Routing by path and query string with the History API: the URL is the state, so reload,
// back/forward and shared links all land on the same view. Links are plain <a href>;
// clicks on same-origin links inside the app are turned into navigations.
import {useEffect, useState} from 'react'

const listeners = new Set<() => void>()

export function navigate(to: string, opts: {replace?: boolean} = {}): void {
  if (to === location.pathname + location.search) return
  if (opts.replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
  for (const l of listeners) l()
}

/** The current location; re-renders on navigate() and on back/forward. */
export function useLocation(): {path: string; query: URLSearchParams} {
  const [, setTick] = useState(0)
  useEffect(() => {
    const update = () => setTick((t) => t + 1)
    listeners.add(update)
    window.addEventListener('popstate', update)
    return () => {
      listeners.delete(update)
      window.removeEventListener('popstate', update)
    }
  }, [])
  return {path: location.pathname, query: new URLSearchParams(location.search)}
}

/** Same-origin link clicks under `base` become navigate() (modifier clicks open a tab as usual). */
export function interceptLinks(base: string): () => void {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    const a = (e.target as Element | null)?.closest?.('a')
    if (!a || a.target || a.hasAttribute('download')) return
    const url = new URL(a.href, location.href)
    if (url.origin !== location.origin || !url.pathname.startsWith(base)) return
    e.preventDefault()
    navigate(url.pathname + url.search)
  }
  document.addEventListener('click', onClick)
  return () => document.removeEventListener('click', onClick)
}

/** Match `/ui/:project/events/:id` style patterns; undefined when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean)
  const got = path.split('/').filter(Boolean)
  if (want.length !== got.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i])
    else if (want[i] !== got[i]) return undefined
  }
  return params
}
