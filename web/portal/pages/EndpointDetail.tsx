import {useState} from 'react'

import {navigate} from '../../shared/router.js'
import {API, type EventTypeInfo, type PortalEndpoint, useLoad, usePortal} from '../context.js'
import {MessageTable} from './Messages.js'
import {Loaded, StatusBadge, useAction} from './common.js'

export function EndpointDetail({id}: {id: string}) {
  const {api, can, href} = usePortal()
  const state = useLoad(() => api.request<PortalEndpoint>('GET', `${API}/endpoints/${id}`), [api, id])
  const remove = useAction()
  const [confirming, setConfirming] = useState(false)
  return (
    <Loaded state={state} what="endpoint">
      {(endpoint) => (
        <section className="stack">
          <div className="row spread">
            <h2 className="mono">{endpoint.url}</h2>
            {can('ManageEndpoint') ? (
              <div className="row">
                <a className="button" href={href(`/endpoints/${id}/edit`)}>
                  Edit
                </a>
                {confirming ? (
                  <>
                    <button
                      className="danger"
                      disabled={remove.busy}
                      onClick={() =>
                        void remove.run(async () => {
                          await api.request('DELETE', `${API}/endpoints/${id}`)
                          navigate(href('/'))
                        })
                      }
                    >
                      Confirm delete
                    </button>
                    <button onClick={() => setConfirming(false)}>Keep it</button>
                  </>
                ) : (
                  <button className="danger" onClick={() => setConfirming(true)}>
                    Delete
                  </button>
                )}
                {remove.shown}
              </div>
            ) : null}
          </div>
          <dl className="portal-facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={endpoint.disabled ? 'disabled' : 'active'} />
            </dd>
            <dt>Description</dt>
            <dd>{endpoint.description || <span className="muted">none</span>}</dd>
            <dt>Event types</dt>
            <dd>{endpoint.filter_types?.join(', ') ?? 'all'}</dd>
          </dl>
          {can('ViewEndpointSecret') || can('ManageEndpointSecret') ? <Secret id={id} /> : null}
          {can('CreateAttempts') ? <Testing id={id} /> : null}
          <h3>Messages</h3>
          <MessageTable endpointId={id} />
        </section>
      )}
    </Loaded>
  )
}

function Secret({id}: {id: string}) {
  const {api, can} = usePortal()
  const [secret, setSecret] = useState<string>()
  const action = useAction()
  return (
    <div className="panel stack">
      <h3>Signing secret</h3>
      <div className="row">
        {secret ? <code aria-label="Signing secret">{secret}</code> : <code className="muted">••••••••••••••••</code>}
        {can('ViewEndpointSecret') ? (
          <button
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                if (secret) return setSecret(undefined)
                setSecret((await api.request<{key: string}>('GET', `${API}/endpoints/${id}/secret`)).key)
              })
            }
          >
            {secret ? 'Hide' : 'Reveal'}
          </button>
        ) : null}
        {can('ManageEndpointSecret') ? (
          <button
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                const out = await api.request<{key?: string}>('POST', `${API}/endpoints/${id}/secret/rotate`)
                setSecret(out.key)
                return 'Secret rotated: the previous one keeps signing for 24 hours.'
              })
            }
          >
            Rotate
          </button>
        ) : null}
        {action.shown}
      </div>
    </div>
  )
}

/** Send an example event; send again what failed since a time. */
function Testing({id}: {id: string}) {
  const {api} = usePortal()
  const types = useLoad(() => api.request<{data: EventTypeInfo[]}>('GET', `${API}/event-types`), [api])
  const [eventType, setEventType] = useState<string>()
  const [since, setSince] = useState(() => localInput(Date.now() - 24 * 3_600_000))
  const example = useAction()
  const recover = useAction()
  const chosen = eventType ?? types.value?.data[0]?.name ?? ''
  return (
    <div className="panel stack">
      <h3>Testing</h3>
      <div className="row">
        <label className="row">
          Event type
          <input
            list="portal-event-types"
            value={chosen}
            placeholder="event.type"
            onChange={(e) => setEventType(e.target.value)}
          />
          <datalist id="portal-event-types">
            {(types.value?.data ?? []).map((t) => (
              <option key={t.name} value={t.name} />
            ))}
          </datalist>
        </label>
        <button
          disabled={!chosen || example.busy}
          onClick={() =>
            void example.run(async () => {
              const out = await api.request<{message_id: string}>('POST', `${API}/endpoints/${id}/send-example`, {
                body: {eventType: chosen},
              })
              return `Example sent (message ${out.message_id}).`
            })
          }
        >
          Send example
        </button>
        {example.shown}
      </div>
      <div className="row">
        <label className="row">
          Recover failed messages since
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <button
          disabled={!since || recover.busy}
          onClick={() =>
            void recover.run(async () => {
              const out = await api.request<{recovered: number}>('POST', `${API}/endpoints/${id}/recover`, {
                body: {since: new Date(since).toISOString()},
              })
              return `${out.recovered} failed message${out.recovered === 1 ? '' : 's'} sent again.`
            })
          }
        >
          Recover
        </button>
        {recover.shown}
      </div>
    </div>
  )
}

function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000)
  return d.toISOString().slice(0, 16)
}
