import {useCallback, useEffect, useMemo, useState} from 'react'

import {apiClient, ApiError, type ApiClient} from '../shared/api.js'
import {matchPath, navigate, useLocation} from '../shared/router.js'
import {forgetKey, storeKey, takeKey} from '../shared/session.js'
import {SignIn} from '../shared/SignIn.js'
import {Dashboard, type DashboardContext, type Project} from './context.js'
import {ConnectionIndicator} from './events/Connection.js'
import {routes} from './routes.js'

const SIGN_IN_HINT =
  'Open the dashboard with `caravan ui` (it signs you in), or paste an API key: the admin key from `caravan status`, or a project key.'

/** The operator dashboard: sign-in, project choice, navigation and the page for the path. */
export function App() {
  const [key, setKey] = useState<string | undefined>(() => takeKey())
  const [signInError, setSignInError] = useState<string>()
  const [projects, setProjects] = useState<Project[]>()
  const {path} = useLocation()

  const signOut = useCallback((message?: string) => {
    forgetKey()
    setKey(undefined)
    setProjects(undefined)
    setSignInError(message)
  }, [])
  const api: ApiClient | undefined = useMemo(
    () => (key ? apiClient(key, (m) => signOut(`Signed out: ${m}`)) : undefined),
    [key, signOut],
  )

  const loadProjects = useCallback(async () => {
    if (!api) return
    try {
      setProjects(await api.data<Project[]>('GET', '/api/v1/projects'))
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) setSignInError((error as Error).message)
    }
  }, [api])
  useEffect(() => {
    void loadProjects()
  }, [loadProjects])

  if (!key || !api)
    return (
      <SignIn
        title="Caravan dashboard"
        hint={SIGN_IN_HINT}
        error={signInError}
        onKey={(k) => {
          storeKey(k)
          setSignInError(undefined)
          setKey(k)
        }}
      />
    )
  if (!projects) return <p className="muted page">{signInError ?? 'Loading…'}</p>
  if (projects.length === 0) return <p className="page">This key opens no project.</p>

  const [, , projectId = '', ...rest] = path.split('/')
  const project = projects.find((p) => p.uid === projectId)
  if (!project) {
    // /ui/ or an unknown project: the first project's events.
    queueMicrotask(() => navigate(`/ui/${encodeURIComponent(projects[0].uid)}/events`, {replace: true}))
    return null
  }
  const base = `/ui/${encodeURIComponent(project.uid)}`
  const sub = '/' + rest.join('/')
  const route = routes.find((r) => matchPath(r.pattern, sub))
  const ctx: DashboardContext = {
    api,
    project,
    projects,
    base,
    apiBase: `/api/v1/projects/${encodeURIComponent(project.uid)}`,
    reloadProject: loadProjects,
  }
  return (
    <Dashboard.Provider value={ctx}>
      <header className="topbar">
        <strong>Caravan</strong>
        <select
          aria-label="Project"
          value={project.uid}
          onChange={(e) => navigate(`/ui/${encodeURIComponent(e.target.value)}${sub}`)}
        >
          {projects.map((p) => (
            <option key={p.uid} value={p.uid}>
              {p.name}
            </option>
          ))}
        </select>
        <nav>
          {routes
            .filter((r) => r.nav)
            .map((r) => (
              <a key={r.pattern} href={base + r.pattern} aria-current={sub.startsWith(r.pattern) ? 'page' : undefined}>
                {r.nav}
              </a>
            ))}
        </nav>
        <span className="spacer" />
        <ConnectionIndicator />
        <button onClick={() => signOut()}>Sign out</button>
      </header>
      <main className="page">{route ? route.render(matchPath(route.pattern, sub)!) : <p>No such page: {sub}</p>}</main>
    </Dashboard.Provider>
  )
}
