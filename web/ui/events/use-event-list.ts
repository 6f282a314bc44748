// The events list's data: the first page for the filter, more pages by cursor, live events
// and delivery updates from the feed, and polling while the feed is down.
import {useCallback, useEffect, useRef, useState} from 'react'

import type {ApiClient} from '../../shared/api.js'
import {useFeed, useFeedState} from './feed.js'
import type {FilterPlan} from './filter.js'
import type {EventJson, Page} from './types.js'

export const PAGE_SIZE = 50
const POLL_MS = 2000
/** Delivery updates are coalesced: the rows they touch are re-read at most this often. */
const REFRESH_MS = 300

export interface EventList {
  rows: EventJson[]
  loading: boolean
  error?: string
  hasMore: boolean
  /** Events the API returned for this filter so far (rows may be fewer: checks in the browser). */
  scanned: number
  loadMore(): void
}

const newestFirst = (a: EventJson, b: EventJson) => (a.uid < b.uid ? 1 : a.uid > b.uid ? -1 : 0)

export function useEventList(api: ApiClient, apiBase: string, plan: FilterPlan | undefined): EventList {
  const [rows, setRows] = useState<EventJson[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string>()
  const [cursor, setCursor] = useState<string>()
  const [scanned, setScanned] = useState(0)
  // Responses for an older filter are dropped when they arrive late.
  const generation = useRef(0)
  const planRef = useRef(plan)
  planRef.current = plan

  const fetchPage = useCallback(
    (after?: string) =>
      api.data<Page<EventJson>>('GET', `${apiBase}/events`, {
        query: {...plan!.query, perPage: PAGE_SIZE, direction: after ? 'next' : undefined, next_page_cursor: after},
      }),
    [api, apiBase, plan],
  )

  useEffect(() => {
    const gen = ++generation.current
    setRows([])
    setCursor(undefined)
    setScanned(0)
    setError(undefined)
    if (!plan) return
    if (plan.noSource) {
      setLoading(false)
      return
    }
    setLoading(true)
    fetchPage().then(
      (page) => {
        if (gen !== generation.current) return
        setRows(page.content.filter(plan.matches))
        setScanned(page.content.length)
        setCursor(page.pagination?.has_next_page ? page.pagination.next_page_cursor : undefined)
        setLoading(false)
      },
      (e: Error) => {
        if (gen !== generation.current) return
        setError(e.message)
        setLoading(false)
      },
    )
  }, [plan, fetchPage])

  const loadMore = useCallback(() => {
    if (!cursor || !plan) return
    const gen = generation.current
    setLoading(true)
    fetchPage(cursor).then(
      (page) => {
        if (gen !== generation.current) return
        setRows((old) => merge(old, page.content.filter(plan.matches)))
        setScanned((n) => n + page.content.length)
        setCursor(page.pagination?.has_next_page ? page.pagination.next_page_cursor : undefined)
        setLoading(false)
      },
      (e: Error) => {
        if (gen !== generation.current) return
        setError(e.message)
        setLoading(false)
      },
    )
  }, [cursor, plan, fetchPage])

  /** Re-read the newest page (after the feed was down, or while it is): new rows in, changed rows updated. */
  const refreshHead = useCallback(async (): Promise<boolean> => {
    if (!plan || plan.noSource) return true
    const gen = generation.current
    let page: Page<EventJson>
    try {
      page = await fetchPage()
    } catch {
      return false
    }
    if (gen !== generation.current) return true
    const fresh = page.content.filter(plan.matches)
    setRows((old) => {
      const oldestFetched = page.content[page.content.length - 1]
      // More arrived than one page holds: the rows after it would leave a hole; start over from here.
      if (page.pagination?.has_next_page && old.length && oldestFetched && oldestFetched.uid > old[0].uid) {
        setCursor(page.pagination.next_page_cursor)
        return fresh
      }
      return merge(old, fresh)
    })
    setError(undefined)
    return true
  }, [plan, fetchPage])

  // Delivery updates: re-read the touched rows (the row's status sums up all its deliveries).
  const touched = useRef(new Set<string>())
  const refreshTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const rowsRef = useRef(rows)
  rowsRef.current = rows
  const refreshTouched = useCallback(() => {
    refreshTimer.current = undefined
    const ids = [...touched.current].filter((id) => rowsRef.current.some((r) => r.uid === id)).slice(0, 20)
    touched.current.clear()
    for (const id of ids)
      api.data<EventJson>('GET', `${apiBase}/events/${encodeURIComponent(id)}`).then(
        (e) => setRows((old) => old.map((r) => (r.uid === e.uid ? e : r))),
        () => undefined,
      )
  }, [api, apiBase])
  useEffect(() => () => clearTimeout(refreshTimer.current), [])

  const feed = useFeed(apiBase, api.key, {
    event: (e) => {
      const p = planRef.current
      if (!p || p.noSource || !p.matches(e)) return
      setRows((old) => merge(old, [e]))
    },
    delivery: ({delivery}) => {
      touched.current.add(delivery.event_id)
      refreshTimer.current ??= setTimeout(refreshTouched, REFRESH_MS)
    },
    resumed: () => void refreshHead(),
  })

  // While the feed is down, poll; a poll that reaches the relay tells the feed to try again now.
  const state = useFeedState()
  const down = state === 'reconnecting' || state === 'polling'
  useEffect(() => {
    if (!down) return
    const timer = setInterval(() => {
      void refreshHead().then((ok) => ok && feed.retryNow())
    }, POLL_MS)
    return () => clearInterval(timer)
  }, [down, refreshHead, feed])

  return {rows, loading, error, hasMore: Boolean(cursor), scanned, loadMore}
}

/** Rows by id, newest first; a newer copy of a row replaces the old one. */
function merge(old: EventJson[], incoming: EventJson[]): EventJson[] {
  if (incoming.length === 0) return old
  const byId = new Map(old.map((r) => [r.uid, r]))
  for (const e of incoming) byId.set(e.uid, e)
  return [...byId.values()].sort(newestFirst)
}
