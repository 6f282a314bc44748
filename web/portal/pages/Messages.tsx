import {useEffect, useState} from 'react'

import {API, type Message, useLoad, usePortal, when} from '../context.js'
import {DeliveryStatuses, Loaded} from './common.js'

export function Messages() {
  return (
    <section className="stack">
      <h2>Messages</h2>
      <MessageTable />
    </section>
  )
}

interface MessagePage {
  content: Message[]
  pagination: {has_next_page: boolean; next_page_cursor: string}
}

const PER_PAGE = 50

/** The scope's messages (or one endpoint's), newest first, with each delivery's status; "Load more" follows the cursor. */
export function MessageTable({endpointId}: {endpointId?: string}) {
  const {api, href} = usePortal()
  const list = (cursor?: string) =>
    api.request<MessagePage>('GET', `${API}/messages`, {
      query: {endpoint_id: endpointId, perPage: PER_PAGE, next_page_cursor: cursor},
    })
  const state = useLoad(() => list(), [api, endpointId])
  // Pages after the first, appended by "Load more"; a new first page starts over.
  const [more, setMore] = useState<MessagePage[]>([])
  const [loading, setLoading] = useState<string>()
  const [moreError, setMoreError] = useState<string>()
  useEffect(() => setMore([]), [state.value])
  const last = more.at(-1) ?? state.value
  return (
    <Loaded state={state} what="list">
      {(first) => {
        const content = [first, ...more].flatMap((p) => p.content)
        return content.length === 0 ? (
          <p className="muted">No messages yet.</p>
        ) : (
          <>
            <table aria-label="Messages">
              <thead>
                <tr>
                  <th>Event type</th>
                  <th>Message</th>
                  <th>Deliveries</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {content.map((m) => (
                  <tr key={m.id}>
                    <td>{m.event_type}</td>
                    <td>
                      <a className="mono" href={href(`/messages/${m.id}`)}>
                        {m.event_id ?? m.id}
                      </a>
                    </td>
                    <td>
                      <DeliveryStatuses deliveries={m.deliveries} />
                    </td>
                    <td>{when(m.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {last?.pagination.has_next_page ? (
              <button
                disabled={loading !== undefined}
                onClick={() => {
                  const cursor = last.pagination.next_page_cursor
                  setLoading(cursor)
                  setMoreError(undefined)
                  list(cursor).then(
                    (page) => (setMore((pages) => [...pages, page]), setLoading(undefined)),
                    (error: Error) => (setMoreError(error.message), setLoading(undefined)),
                  )
                }}
              >
                {loading ? 'Loading…' : 'Load more'}
              </button>
            ) : null}
            {moreError ? (
              <p className="error" role="alert">
                {moreError}
              </p>
            ) : null}
          </>
        )
      }}
    </Loaded>
  )
}
