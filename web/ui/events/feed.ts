// The project's live feed (`/api/v1/projects/{id}/feed`) for a page: a WebSocket that
// authenticates with the key as a subprotocol (browsers cannot set headers on one),
// reconnects with backoff, and publishes its state for the top bar's indicator.
import {useEffect, useMemo, useRef, useSyncExternalStore} from 'react'

import type {EventJson} from './types.js'

/** off: no page listens; down: the socket is gone and the page polls meanwhile. */
export type FeedState = 'off' | 'connecting' | 'live' | 'reconnecting' | 'polling'

export interface DeliveryFrame {
  delivery: {uid: string; event_id: string; endpoint_id: string; status: string; attempts: number}
}

export interface FeedHandlers {
  event?: (e: EventJson) => void
  delivery?: (frame: DeliveryFrame) => void
  /** The socket is back after being down: what happened meanwhile is not in the feed. */
  resumed?: () => void
}

let current: FeedState = 'off'
const watchers = new Set<() => void>()

function publish(state: FeedState): void {
  current = state
  for (const w of watchers) w()
}

export function useFeedState(): FeedState {
  return useSyncExternalStore(
    (onChange) => {
      watchers.add(onChange)
      return () => watchers.delete(onChange)
    },
    () => current,
  )
}

/** Waits before reconnecting: quick at first, then at most 5 s apart (with jitter). */
const DELAYS_MS = [250, 500, 1000, 2000, 5000]
/** Failed tries after which the indicator says the page is polling rather than reconnecting. */
const POLLING_AFTER = 2

export function feedUrl(apiBase: string): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${apiBase}/feed`
}

/** `caravan.key.<base64url of the key>`: the relay reads it from the subprotocols offered. */
export function keyProtocol(key: string): string {
  const bin = String.fromCharCode(...new TextEncoder().encode(key))
  return `caravan.key.${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`
}

export interface Feed {
  /** Try to connect now (a poll just reached the relay) instead of waiting out the backoff. */
  retryNow(): void
}

/** Keep a feed open while the calling component is mounted; handlers may change between renders. */
export function useFeed(apiBase: string, key: string, handlers: FeedHandlers): Feed {
  const latest = useRef(handlers)
  latest.current = handlers
  const retry = useRef<() => void>(() => undefined)

  useEffect(() => {
    let closed = false
    let ws: WebSocket | undefined
    let timer: ReturnType<typeof setTimeout> | undefined
    let failures = 0
    let wasDown = false

    const connect = () => {
      timer = undefined
      if (closed) return
      ws = new WebSocket(feedUrl(apiBase), ['caravan.feed', keyProtocol(key)])
      ws.onopen = () => {
        failures = 0
        publish('live')
      }
      ws.onmessage = (msg) => {
        let frame: {type?: string; event?: EventJson} & Partial<DeliveryFrame>
        try {
          frame = JSON.parse(String(msg.data))
        } catch {
          return
        }
        if (frame.type === 'hello' && wasDown) {
          wasDown = false
          latest.current.resumed?.()
        }
        if (frame.type === 'event' && frame.event) latest.current.event?.(frame.event)
        if (frame.type === 'delivery' && frame.delivery) latest.current.delivery?.(frame as DeliveryFrame)
      }
      ws.onclose = () => {
        ws = undefined
        if (closed) return
        wasDown = true
        failures++
        publish(failures > POLLING_AFTER ? 'polling' : 'reconnecting')
        const base = DELAYS_MS[Math.min(failures - 1, DELAYS_MS.length - 1)]
        timer = setTimeout(connect, base * (0.8 + Math.random() * 0.4))
      }
    }
    retry.current = () => {
      if (closed || ws || !timer) return
      clearTimeout(timer)
      connect()
    }
    publish('connecting')
    connect()
    return () => {
      closed = true
      if (timer) clearTimeout(timer)
      ws?.close()
      publish('off')
    }
  }, [apiBase, key])

  return useMemo(() => ({retryNow: () => retry.current()}), [])
}
