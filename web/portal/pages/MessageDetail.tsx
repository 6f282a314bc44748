import {API, type DeliveryInfo, type Message, useLoad, usePortal, when} from '../context.js'
import {Loaded, StatusBadge, useAction} from './common.js'

export function MessageDetail({id}: {id: string}) {
  const {api} = usePortal()
  const state = useLoad(() => api.request<Message>('GET', `${API}/messages/${id}`), [api, id])
  return (
    <Loaded state={state} what="message">
      {(message) => (
        <section className="stack">
          <h2>
            {message.event_type} <span className="muted mono">{message.event_id ?? message.id}</span>
          </h2>
          <p className="muted">Created {when(message.created_at)}</p>
          <h3>Payload</h3>
          <pre className="panel" aria-label="Payload">
            {JSON.stringify(message.payload, null, 2)}
          </pre>
          <h3>Deliveries</h3>
          {message.deliveries.map((d) => (
            <Delivery key={d.id} delivery={d} reload={state.reload} />
          ))}
        </section>
      )}
    </Loaded>
  )
}

function Delivery({delivery, reload}: {delivery: DeliveryInfo; reload: () => void}) {
  const {api, can, href} = usePortal()
  const resend = useAction()
  return (
    <div className="panel stack" data-delivery={delivery.id}>
      <div className="row">
        <StatusBadge status={delivery.status} />
        <a href={href(`/endpoints/${delivery.endpoint_id}`)}>endpoint</a>
        {delivery.manual ? <span className="muted">manual resend</span> : null}
        {can('CreateAttempts') ? (
          <button
            disabled={resend.busy}
            onClick={() =>
              void resend.run(async () => {
                await api.request('POST', `${API}/deliveries/${delivery.id}/resend`)
                reload()
                return 'Resent.'
              })
            }
          >
            Resend
          </button>
        ) : null}
        {resend.shown}
      </div>
      {delivery.attempts_made?.length ? (
        <table aria-label="Attempts">
          <thead>
            <tr>
              <th>Attempt</th>
              <th>Response</th>
              <th>Latency</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {delivery.attempts_made.map((a) => (
              <tr key={a.id}>
                <td className="mono">{a.id}</td>
                <td>
                  {a.response_status ?? <span className="error">{a.error || 'no response'}</span>}
                  {a.response_body ? <pre className="muted">{a.response_body.slice(0, 500)}</pre> : null}
                </td>
                <td>{a.latency_ms === null ? '' : `${a.latency_ms} ms`}</td>
                <td>{when(a.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No attempt yet.</p>
      )}
    </div>
  )
}
