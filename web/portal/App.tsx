import {useCallback, useEffect, useMemo, useState} from 'react'

import {apiClient, ApiError} from '../shared/api.js'
import {interceptLinks, matchPath, useLocation} from '../shared/router.js'
import {forgetKey, takeKey} from '../shared/session.js'
import {API, type Capability, Portal, type PortalContext, type Session} from './context.js'
import {EndpointDetail} from './pages/EndpointDetail.js'
import {EndpointForm} from './pages/EndpointForm.js'
import {Endpoints} from './pages/Endpoints.js'
import {EventTypes} from './pages/EventTypes.js'
import {MessageDetail} from './pages/MessageDetail.js'
import {Messages} from './pages/Messages.js'
import {safeIcon, type Theme} from './theme.js'

const KEY = 'caravan.portal.key'
const BASE = '/portal'

/** The customer portal: one session (from `#key=`), its scope's endpoints, messages and event types. */
export function App({theme}: {theme: Theme}) {
  const [key] = useState(() => takeKey(KEY))
  const [session, setSession] = useState<Session>()
  const [ended, setEnded] = useState<string>()
  const {path} = useLocation()

  const end = useCallback((message: string) => {
    forgetKey(KEY)
    setEnded(message)
  }, [])
  const api = useMemo(() => (key ? apiClient(key, (m) => end(m)) : undefined), [key, end])

  useEffect(() => interceptLinks(BASE), [])
  useEffect(() => {
    if (!api) return
    api.request<Session>('GET', `${API}/session`).then(setSession, (e: Error) => {
      if (!(e instanceof ApiError && e.status === 401)) setEnded(e.message)
    })
  }, [api])
  // The session ends when its token expires, whether or not a call notices first.
  useEffect(() => {
    if (!session?.expires_at) return
    const left = Date.parse(session.expires_at) - Date.now()
    const timer = setTimeout(() => end('session expired'), Math.max(0, Math.min(left, 2 ** 31 - 1)))
    return () => clearTimeout(timer)
  }, [session, end])

  if (!key) return <Notice title="No session" text="Open this portal from the link your provider gave you." />
  if (ended)
    return (
      <Notice
        title={/expired/i.test(ended) ? 'Your session has expired' : 'This session has ended'}
        text={`${ended}. Open the portal again from your provider's site.`}
      />
    )
  if (!session || !api) return <p className="muted portal-page">Loading…</p>

  const ctx: PortalContext = {
    api,
    session,
    can: (c: Capability) => session.capabilities.includes(c),
    href: (p: string) => `${BASE}${p}`,
  }
  const rest = path.startsWith(BASE) ? path.slice(BASE.length) || '/' : '/'
  const icon = safeIcon(theme.icon)
  return (
    <Portal.Provider value={ctx}>
      <div className="portal-page stack">
        <header className="portal-header row">
          {icon ? <img className="portal-icon" src={icon} alt="" /> : null}
          <h1>{session.name}</h1>
          {session.read_only ? <span className="badge">Read-only</span> : null}
          <nav className="portal-tabs row" aria-label="Portal">
            <a href={ctx.href('/')} aria-current={tab(rest) === 'endpoints' ? 'page' : undefined}>
              Endpoints
            </a>
            <a href={ctx.href('/messages')} aria-current={tab(rest) === 'messages' ? 'page' : undefined}>
              Messages
            </a>
            <a href={ctx.href('/event-types')} aria-current={tab(rest) === 'event-types' ? 'page' : undefined}>
              Event catalog
            </a>
          </nav>
        </header>
        <main>{page(rest)}</main>
      </div>
    </Portal.Provider>
  )
}

function tab(rest: string): string {
  if (rest.startsWith('/messages')) return 'messages'
  if (rest.startsWith('/event-types')) return 'event-types'
  return 'endpoints'
}

function page(rest: string) {
  let params: Record<string, string> | undefined
  if (rest === '/' || rest === '/endpoints') return <Endpoints />
  if (rest === '/endpoints/new') return <EndpointForm />
  if ((params = matchPath('/endpoints/:id/edit', rest))) return <EndpointForm id={params.id} key={params.id} />
  if ((params = matchPath('/endpoints/:id', rest))) return <EndpointDetail id={params.id} key={params.id} />
  if (rest === '/messages') return <Messages />
  if ((params = matchPath('/messages/:id', rest))) return <MessageDetail id={params.id} key={params.id} />
  if (rest === '/event-types') return <EventTypes />
  return <NotFound what="page" />
}

export function NotFound({what}: {what: string}) {
  return (
    <div className="panel" role="alert">
      <h2>Not found</h2>
      <p className="muted">This {what} does not exist, or is not yours to see.</p>
    </div>
  )
}

function Notice({title, text}: {title: string; text: string}) {
  return (
    <div className="panel portal-notice" role="alert">
      <h2>{title}</h2>
      <p className="muted">{text}</p>
    </div>
  )
}
