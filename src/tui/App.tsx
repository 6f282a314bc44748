import {Box, useApp, useInput, useStdout} from 'ink'
import {useCallback, useEffect, useLayoutEffect, useMemo, useReducer, useRef, useState} from 'react'

import {formatRequest, parseRequest} from '../client/request-text.js'
import type {InspectorBackend} from './backend.js'
import {FilterBar, Header, StatusBar} from './Bars.js'
import {EventDetail, detailLines} from './EventDetail.js'
import {EventList} from './EventList.js'
import {matchesFilter, parseFilter} from './filter.js'
import {curlCommand, osc52} from './format.js'
import {isRun, type KeyPress, takeKey} from './keys.js'
import {effectiveSelection, initialState, reducer} from './state.js'
import type {InspectDelivery, InspectEvent} from './types.js'

export interface AppProps {
  backend: InspectorBackend
  gateway: string
  initialLimit?: number
  /**
   * Recent events already loaded (oldest first), drawn in the first frame. When they are
   * all of the `initialLimit` newest (`initialComplete`), they are not fetched again;
   * else the rest is fetched after the first frame.
   */
  initialEvents?: InspectEvent[]
  initialComplete?: boolean
  /** Opens $EDITOR on the text with the terminal handed over; returns the edited text, or null if cancelled. */
  editText: (text: string) => string | null
  /** Called on quit with the curl commands copied, to print after leaving the screen. */
  onExit: (copied: string[]) => void
}

export function App({
  backend,
  gateway,
  initialLimit = 500,
  initialEvents,
  initialComplete = false,
  editText,
  onExit,
}: AppProps) {
  const {exit} = useApp()
  const {stdout} = useStdout()
  const [size, setSize] = useState({rows: stdout.rows || 24, columns: stdout.columns || 80})
  const [state, dispatch] = useReducer(reducer, initialEvents, (events) =>
    events ? reducer(initialState(), {type: 'loaded', events}) : initialState(),
  )
  const preloaded = useRef(Boolean(initialEvents && initialComplete))
  const [draft, setDraft] = useState('')
  const [details, setDetails] = useState<Record<string, InspectDelivery[]>>({})
  const copied = useRef<string[]>([])
  // The current filter, for live events arriving in callbacks made before it changed.
  const matchesRef = useRef<(e: InspectEvent) => boolean>(() => true)

  useEffect(() => {
    const onResize = () => setSize({rows: stdout.rows || 24, columns: stdout.columns || 80})
    stdout.on('resize', onResize)
    return () => {
      stdout.off('resize', onResize)
    }
  }, [stdout])

  useEffect(() => {
    let cancelled = false
    const load = () =>
      backend
        .recent(initialLimit)
        .then((events) => !cancelled && dispatch({type: 'loaded', events}))
        .catch((error: Error) => dispatch({type: 'message', message: `could not load events: ${error.message}`}))
    // The feed's first 'live' catches up on anything stored since a complete preload.
    if (!preloaded.current) void load()
    const sub = backend.subscribe({
      event: (event) => dispatch({type: 'event', event, matches: (e) => matchesRef.current(e)}),
      delivery: (u) => {
        dispatch({
          type: 'delivery',
          eventId: u.eventId,
          status: u.status,
          attempts: u.attempts,
          responseStatus: u.responseStatus,
          latencyMs: u.latencyMs,
        })
        // Refresh an open detail view of that event.
        setDetails((current) => {
          if (!current[u.eventId]) return current
          void backend.deliveries(u.eventId).then((list) => setDetails((c) => ({...c, [u.eventId]: list})))
          return current
        })
      },
      connection: (connection) => {
        dispatch({type: 'connection', connection})
        // The feed has no replay: catch up on what was stored before it (re)connected.
        if (connection === 'live') void load()
      },
    })
    return () => {
      cancelled = true
      sub.close()
    }
  }, [backend, initialLimit])

  const filter = useMemo(() => parseFilter(state.filter), [state.filter])
  matchesRef.current = (e) => matchesFilter(e, filter, backend.sourceName)
  const visible = useMemo(
    () => state.events.filter((e) => matchesFilter(e, filter, backend.sourceName)),
    [state.events, filter, backend],
  )
  const selectedIndex = effectiveSelection(state, visible.length)
  const selected = visible[selectedIndex]

  const loadDetail = useCallback(
    (eventId: string) => {
      backend
        .deliveries(eventId)
        .then((list) => setDetails((c) => ({...c, [eventId]: list})))
        .catch((error: Error) => dispatch({type: 'message', message: `could not load deliveries: ${error.message}`}))
    },
    [backend],
  )

  const replay = useCallback(
    (edit: boolean) => {
      if (!selected) return
      if (selected.failure_reason) {
        // A request that failed verification may be forged: never re-sent from here (issue 10).
        dispatch({
          type: 'message',
          message: `not replayed: it failed signature verification at ingest and may be forged (${selected.failure_reason}); to send it anyway: caravan replay ${selected.uid} --allow-unverified`,
        })
        return
      }
      let edited: {headers: Record<string, string[]>; body: Buffer} | undefined
      if (edit) {
        const text = editText(formatRequest(selected.headers ?? {}, Buffer.from(selected.body_base64 ?? '', 'base64')))
        if (text === null) {
          dispatch({type: 'message', message: 'edit cancelled; nothing sent'})
          return
        }
        try {
          edited = parseRequest(text)
        } catch (error) {
          dispatch({type: 'message', message: (error as Error).message})
          return
        }
      }
      dispatch({type: 'message', message: `replaying ${selected.uid}…`})
      backend
        .replay(selected.uid, edited)
        .then((message) => {
          dispatch({type: 'message', message})
          loadDetail(selected.uid)
        })
        .catch((error: Error) => dispatch({type: 'message', message: `replay failed: ${error.message}`}))
    },
    [backend, editText, loadDetail, selected],
  )

  const listHeight = Math.max(
    size.rows - 4 - (state.editingFilter || state.filter ? 1 : 0) - (state.message ? 1 : 0),
    3,
  )
  const page = Math.max(listHeight - 1, 1)

  const handleKey: Parameters<typeof useInput>[0] = (input, key) => {
    // ctrl+c quits from anywhere, even while typing a filter.
    if (key.ctrl && input === 'c') {
      onExit(copied.current)
      exit()
      return
    }
    if (state.editingFilter) {
      if (key.escape) {
        setDraft(state.filter)
        dispatch({type: 'filter-edit', editing: false})
      } else if (key.return) {
        const next = parseFilter(draft)
        dispatch({type: 'filter-edit', editing: false})
        dispatch({
          type: 'filter-set',
          filter: draft,
          visible: state.events.filter((e) => matchesFilter(e, next, backend.sourceName)).length,
        })
      } else if (key.backspace || key.delete) {
        setDraft((d) => d.slice(0, -1))
      } else if (input && !key.ctrl && !key.meta) {
        setDraft((d) => d + input)
      }
      return
    }
    if (input === 'q') {
      onExit(copied.current)
      exit()
      return
    }
    const detail = state.view === 'detail'
    // Scroll no further than the last line at the bottom of the screen.
    const max = detail && selected ? Math.max(detailLines(selected, details[selected.uid]).length - listHeight, 0) : 0
    if (key.upArrow || input === 'k')
      dispatch(detail ? {type: 'detail-scroll', delta: -1, max} : {type: 'move', delta: -1, visible: visible.length})
    else if (key.downArrow || input === 'j')
      dispatch(detail ? {type: 'detail-scroll', delta: 1, max} : {type: 'move', delta: 1, visible: visible.length})
    else if (key.pageUp)
      dispatch(
        detail ? {type: 'detail-scroll', delta: -page, max} : {type: 'move', delta: -page, visible: visible.length},
      )
    else if (key.pageDown)
      dispatch(
        detail ? {type: 'detail-scroll', delta: page, max} : {type: 'move', delta: page, visible: visible.length},
      )
    else if (input === 'g' && !detail) dispatch({type: 'jump', to: 'start', visible: visible.length})
    else if (input === 'G' && !detail) dispatch({type: 'jump', to: 'end', visible: visible.length})
    else if ((key.return || input === 'd') && selected && !detail) {
      // Pin the selection before opening, so new events do not move it.
      dispatch({type: 'pin', index: selectedIndex})
      dispatch({type: 'open'})
      loadDetail(selected.uid)
    } else if (key.escape) dispatch({type: 'back'})
    else if (input === '/') {
      setDraft(state.filter)
      dispatch({type: 'filter-edit', editing: true})
    } else if (input === 'f') dispatch({type: 'toggle-follow', visible: visible.length})
    else if (input === 'r') replay(false)
    else if (input === 'e') replay(true)
    else if (input === 'c' && selected) {
      const curl = curlCommand(selected, backend.ingestUrl(selected))
      copied.current.push(curl)
      stdout.write(osc52(curl))
      dispatch({type: 'message', message: 'copied as curl (OSC 52 clipboard); also printed when you quit'})
    }
  }
  // ink attaches useInput's new handler in a passive effect, which can run after the next
  // key arrives: route keys through a ref set at commit so they always see what is on screen.
  const keyHandler = useRef(handleKey)
  const typing = useRef(state.editingFilter)
  // Keys not handled yet. Several can come in one read (keys typed faster than the screen
  // reads them, a paste): one is handled per render, so each sees what the one before did.
  const pending = useRef<({press: KeyPress} | {run: string})[]>([])
  // A key was handled and its render has not been committed yet.
  const rendering = useRef(false)
  const [, rerender] = useReducer((n: number) => n + 1, 0)
  const handleNext = () => {
    const head = pending.current[0]
    if (!head || rendering.current) return
    let press: KeyPress
    if ('press' in head) {
      press = head.press
      pending.current.shift()
    } else {
      const {next, rest} = takeKey(head.run, typing.current)
      press = next
      if (rest) pending.current[0] = {run: rest}
      else pending.current.shift()
    }
    rendering.current = true
    keyHandler.current(press.input, press.key)
    // Even a key that changes nothing on screen gets its render, so the next one follows.
    rerender()
  }
  useLayoutEffect(() => {
    keyHandler.current = handleKey
    typing.current = state.editingFilter
    rendering.current = false
    // The next key after this commit, not inside it: a long run would otherwise nest one
    // update in another until React gives up.
    if (pending.current.length) setImmediate(handleNext)
  })
  useInput((input, key) => {
    pending.current.push(isRun({input, key}) ? {run: input} : {press: {input, key}})
    handleNext()
  })

  return (
    <Box flexDirection="column" height={size.rows}>
      <Header
        gateway={gateway}
        project={backend.projectId}
        sources={backend.sourceNames()}
        target={backend.listenerTarget}
        follow={state.follow}
        connection={state.connection}
        count={visible.length}
      />
      <FilterBar value={state.editingFilter ? draft : state.filter} editing={state.editingFilter} />
      {state.view === 'detail' && selected ? (
        <EventDetail
          event={selected}
          deliveries={details[selected.uid]}
          scroll={state.detailScroll}
          height={listHeight}
        />
      ) : (
        <EventList
          events={visible}
          selected={selectedIndex}
          height={listHeight}
          width={size.columns}
          sourceName={backend.sourceName}
          filter={state.filter}
        />
      )}
      <StatusBar view={state.view} message={state.message} />
    </Box>
  )
}
