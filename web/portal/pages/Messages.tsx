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

/** The newest messages of the scope (or of one endpoint), with the status of each delivery. */
export function MessageTable({endpointId}: {endpointId?: string}) {
  const {api, href} = usePortal()
  const state = useLoad(
    () =>
      api.request<{content: Message[]}>('GET', `${API}/messages`, {
        query: {endpoint_id: endpointId, perPage: 50},
      }),
    [api, endpointId],
  )
  return (
    <Loaded state={state} what="list">
      {({content}) =>
        content.length === 0 ? (
          <p className="muted">No messages yet.</p>
        ) : (
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
        )
      }
    </Loaded>
  )
}
