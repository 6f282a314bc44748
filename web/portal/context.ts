import {createContext, useCallback, useContext, useEffect, useState} from 'react'

import {ApiError, type ApiClient} from '../shared/api.js'

export type Capability =
  'ViewBase' | 'ViewEndpointSecret' | 'ManageEndpointSecret' | 'ManageEndpoint' | 'CreateAttempts'

export interface Session {
  kind: 'svix_app' | 'portal_link'
  name: string
  scope_id: string
  capabilities: Capability[]
  read_only: boolean
  session_id: string | null
  expires_at: string | null
}

export interface PortalEndpoint {
  id: string
  uid: string | null
  url: string
  description: string
  disabled: boolean
  status: string
  filter_types: string[] | null
  created_at: string
  updated_at: string
}

export interface EventTypeInfo {
  name: string
  description: string
  group_name: string | null
  deprecated: boolean
  schemas: Record<string, unknown>
  examples: unknown[]
}

export interface DeliveryInfo {
  id: string
  endpoint_id: string
  status: string
  attempts: number
  manual: boolean
  created_at: string
  attempts_made?: {
    id: string
    url: string
    response_status: number | null
    response_body: string
    error: string
    latency_ms: number | null
    created_at: string
  }[]
}

export interface Message {
  id: string
  event_type: string
  event_id: string | null
  created_at: string
  payload?: unknown
  deliveries: DeliveryInfo[]
}

/** What every portal page gets: the API client, the session, and the link builder. */
export interface PortalContext {
  api: ApiClient
  session: Session
  can: (capability: Capability) => boolean
  /** A portal path (`/endpoints/x`) as an href under /portal/. */
  href: (path: string) => string
}

export const Portal = createContext<PortalContext | null>(null)

export function usePortal(): PortalContext {
  const ctx = useContext(Portal)
  if (!ctx) throw new Error('usePortal outside the portal')
  return ctx
}

export const API = '/portal-api/v1'

/** Load something on mount (and on reload()); errors are kept to show, 404 told apart. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [value, setValue] = useState<T>()
  const [error, setError] = useState<ApiError | Error>()
  const [tick, setTick] = useState(0)
  const run = useCallback(load, deps)
  useEffect(() => {
    let live = true
    run().then(
      (v) => live && (setValue(v), setError(undefined)),
      (e: Error) => live && setError(e),
    )
    return () => {
      live = false
    }
  }, [run, tick])
  return {
    value,
    error,
    reload: () => setTick((t) => t + 1),
    notFound: error instanceof ApiError && error.status === 404,
  }
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : ''
}
