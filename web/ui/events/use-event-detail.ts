// One event with its deliveries and their attempts, the running listeners, and the feed:
// a delivery update for this event re-reads its deliveries.
import {useCallback, useEffect, useRef, useState} from 'react'

import type {ApiClient} from '../../shared/api.js'
import type {DeliveryWithAttempts} from './Deliveries.js'
import {useFeed} from './feed.js'
import type {AttemptJson, DeliveryJson, EventJson, ListenerJson, Page} from './types.js'

const REFRESH_MS = 300

export interface EventDetailData {
  event?: EventJson
  deliveries?: DeliveryWithAttempts[]
  listeners: ListenerJson[]
  error?: string
  reload(): void
}

export function useEventDetail(api: ApiClient, apiBase: string, eventId: string): EventDetailData {
  const [event, setEvent] = useState<EventJson>()
  const [deliveries, setDeliveries] = useState<DeliveryWithAttempts[]>()
  const [listeners, setListeners] = useState<ListenerJson[]>([])
  const [error, setError] = useState<string>()
  const path = `${apiBase}/events/${encodeURIComponent(eventId)}`

  const loadDeliveries = useCallback(async () => {
    const page = await api.data<Page<DeliveryJson>>('GET', `${apiBase}/eventdeliveries`, {
      query: {eventId, perPage: 100, sort: 'ASC'},
    })
    return Promise.all(
      page.content.map(async (delivery) => ({
        delivery,
        attempts:
          (await api.data<AttemptJson[]>(
            'GET',
            `${apiBase}/eventdeliveries/${encodeURIComponent(delivery.uid)}/deliveryattempts`,
          )) ?? [],
      })),
    )
  }, [api, apiBase, eventId])

  const reload = useCallback(() => {
    Promise.all([api.data<EventJson>('GET', path), loadDeliveries()]).then(
      ([e, d]) => {
        setEvent(e)
        setDeliveries(d)
        setError(undefined)
      },
      (e: Error) => setError(e.message),
    )
    api.data<ListenerJson[]>('GET', `${apiBase}/listeners`).then(
      (l) => setListeners(l ?? []),
      () => setListeners([]),
    )
  }, [api, apiBase, path, loadDeliveries])

  useEffect(() => {
    setEvent(undefined)
    setDeliveries(undefined)
    reload()
  }, [reload])

  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  useFeed(apiBase, api.key, {
    delivery: ({delivery}) => {
      if (delivery.event_id !== eventId) return
      timer.current ??= setTimeout(() => {
        timer.current = undefined
        reload()
      }, REFRESH_MS)
    },
    resumed: reload,
  })

  return {event, deliveries, listeners, error, reload}
}
