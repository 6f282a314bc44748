import {createContext, useContext} from 'react'

import type {ApiClient} from '../shared/api.js'

export interface Project {
  uid: string
  name: string
  type: string
  config?: Record<string, unknown>
  [field: string]: unknown
}

/** What every dashboard page gets: the API client, the current project, and the path prefix for it. */
export interface DashboardContext {
  api: ApiClient
  project: Project
  projects: Project[]
  /** `/ui/{projectId}`: pages build their links from it. */
  base: string
  /** `/api/v1/projects/{projectId}`: API paths of the current project. */
  apiBase: string
  /** Re-read the project (after its settings change). */
  reloadProject: () => Promise<void>
}

export const Dashboard = createContext<DashboardContext | null>(null)

export function useDashboard(): DashboardContext {
  const ctx = useContext(Dashboard)
  if (!ctx) throw new Error('useDashboard outside the dashboard')
  return ctx
}
