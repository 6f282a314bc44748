// Loading state for the management pages: one API read, its error as text, and reload().
import {useCallback, useEffect, useState} from 'react'

import type {ApiClient, Query} from '../../shared/api.js'

export interface Loaded<T> {
  data?: T
  error?: string
  loading: boolean
  reload: () => void
}

/** Runs `load` on mount, when `deps` change and on reload(); a stale answer never overwrites a newer one. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{data?: T; error?: string; loading: boolean}>({loading: true})
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let current = true
    setState((s) => ({...s, loading: true}))
    load().then(
      (data) => current && setState({data, loading: false}),
      (error: Error) => current && setState({error: error.message, loading: false}),
    )
    return () => {
      current = false
    }
  }, [...deps, tick])
  const reload = useCallback(() => setTick((t) => t + 1), [])
  return {...state, reload}
}

export interface Page<T> {
  content: T[]
  pagination: {has_next_page: boolean; next_page_cursor: string}
}

export interface Paged<T> {
  items: T[]
  error?: string
  loading: boolean
  hasMore: boolean
  more: () => void
  reload: () => void
}

/** A Convoy list, newest first, a page at a time ("More" appends the next page). */
export function usePaged<T>(api: ApiClient, path: string, query: Query = {}, perPage = 50): Paged<T> {
  const [items, setItems] = useState<T[]>([])
  const [cursor, setCursor] = useState('')
  const [error, setError] = useState<string>()
  const [loading, setLoading] = useState(true)
  const [tick, setTick] = useState(0)
  const key = JSON.stringify(query)
  const fetchPage = useCallback(
    (after: string) => api.data<Page<T>>('GET', path, {query: {...query, perPage, next_page_cursor: after}}),
    [api, path, key, perPage],
  )
  useEffect(() => {
    let current = true
    setLoading(true)
    fetchPage('').then(
      (page) => {
        if (!current) return
        setItems(page.content)
        setCursor(page.pagination.has_next_page ? page.pagination.next_page_cursor : '')
        setError(undefined)
        setLoading(false)
      },
      (e: Error) => {
        if (!current) return
        setError(e.message)
        setLoading(false)
      },
    )
    return () => {
      current = false
    }
  }, [fetchPage, tick])
  const more = useCallback(() => {
    if (!cursor) return
    fetchPage(cursor).then(
      (page) => {
        setItems((old) => [...old, ...page.content])
        setCursor(page.pagination.has_next_page ? page.pagination.next_page_cursor : '')
      },
      (e: Error) => setError(e.message),
    )
  }, [cursor, fetchPage])
  return {items, error, loading, hasMore: Boolean(cursor), more, reload: useCallback(() => setTick((t) => t + 1), [])}
}

/** Run an action, keeping its error (the server's message) and whether it is running. */
export function useAction(): {
  busy: boolean
  error?: string
  run: <T>(action: () => Promise<T>) => Promise<T | undefined>
  clear: () => void
} {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const run = useCallback(async <T>(action: () => Promise<T>) => {
    setBusy(true)
    setError(undefined)
    try {
      return await action()
    } catch (e) {
      setError((e as Error).message)
      return undefined
    } finally {
      setBusy(false)
    }
  }, [])
  return {busy, error, run, clear: useCallback(() => setError(undefined), [])}
}
