// One endpoint: its settings, status actions (pause, activate, delete), its secrets with
// rotation, a test event, its failure rate and its subscriptions.
import {useState} from 'react'

import {navigate} from '../../shared/router.js'
import {useDashboard} from '../context.js'
import {EndpointForm} from './EndpointForm.js'
import {type Loaded, useAction, useLoad} from './hooks.js'
import {type Endpoint, type FailureRate, convoyDate, liveSecret, type Subscription} from './types.js'
import {ConfirmButton, ErrorText, Field, Masked, PageHead, parseJsonField, StatusBadge, submitTo, When} from './ui.js'

export function EndpointDetail({endpointId}: {endpointId: string}) {
  const {api, apiBase, base} = useDashboard()
  const path = `${apiBase}/endpoints/${encodeURIComponent(endpointId)}`
  const loaded = useLoad(() => api.data<Endpoint>('GET', path), [api, path])
  const [editing, setEditing] = useState(false)
  const [replaced, setReplaced] = useState<Endpoint>()
  const action = useAction()
  const subs = useLoad(
    () =>
      api.data<{content: Subscription[]}>('GET', `${apiBase}/subscriptions`, {
        query: {endpointId, perPage: 100},
      }),
    [api, apiBase, endpointId],
  )
  const endpoint = replaced?.uid === endpointId ? replaced : loaded.data

  if (loaded.error) return <ErrorText error={loaded.error} />
  if (!endpoint) return <p className="muted">Loading…</p>

  const act = async (method: string, suffix: string, body?: unknown) => {
    const updated = await action.run(() => api.data<Endpoint>(method, path + suffix, {body}))
    if (updated) setReplaced(updated)
  }

  return (
    <>
      <PageHead title={endpoint.name}>
        <a href={`${base}/endpoints`}>All endpoints</a>
      </PageHead>
      {editing ? (
        <EndpointForm
          endpoint={endpoint}
          onSaved={(e) => {
            setReplaced(e)
            setEditing(false)
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <section className="panel" aria-label="Endpoint">
          <dl className="props">
            <dt>ID</dt>
            <dd>
              <code>{endpoint.uid}</code>
            </dd>
            <dt>URL</dt>
            <dd>{endpoint.url}</dd>
            <dt>Status</dt>
            <dd>
              <StatusBadge status={endpoint.status} /> <span className="muted">circuit breaker</span>{' '}
              <StatusBadge status={endpoint.cb_state} />
            </dd>
            {endpoint.description && (
              <>
                <dt>Description</dt>
                <dd>{endpoint.description}</dd>
              </>
            )}
            <dt>Owner ID</dt>
            <dd>{endpoint.owner_id || '—'}</dd>
            <dt>Support email</dt>
            <dd>{endpoint.support_email || '—'}</dd>
            <dt>HTTP timeout</dt>
            <dd>{endpoint.http_timeout} s</dd>
            <dt>Rate limit</dt>
            <dd>
              {endpoint.rate_limit} per {endpoint.rate_limit_duration} s
            </dd>
            <dt>Max in flight</dt>
            <dd>{endpoint.max_in_flight ?? "relay's default"}</dd>
            <dt>Authentication</dt>
            <dd>
              {endpoint.authentication?.type === 'api_key'
                ? `header ${endpoint.authentication.api_key?.header_name}`
                : endpoint.authentication?.type === 'basic_auth'
                  ? `basic auth as ${endpoint.authentication.basic_auth?.username}`
                  : (endpoint.authentication?.type ?? 'none')}
            </dd>
            <dt>Signatures</dt>
            <dd>{endpoint.advanced_signatures ? 'advanced (t=…,v1=…)' : 'simple'}</dd>
            <dt>Updated</dt>
            <dd>
              <When iso={endpoint.updated_at} />
            </dd>
          </dl>
          <ErrorText error={action.error} />
          <div className="actions">
            <button onClick={() => setEditing(true)}>Edit</button>
            {endpoint.status !== 'inactive' && (
              <button disabled={action.busy} onClick={() => void act('PUT', '/pause')}>
                {endpoint.status === 'paused' ? 'Unpause' : 'Pause'}
              </button>
            )}
            {endpoint.status !== 'active' && (
              <button disabled={action.busy} onClick={() => void act('POST', '/activate')}>
                Activate
              </button>
            )}
            <ConfirmButton
              label="Delete"
              question={`Delete ${endpoint.name} and its subscriptions?`}
              onConfirm={() =>
                void action.run(() => api.request('DELETE', path)).then((done) => done && navigate(`${base}/endpoints`))
              }
            />
          </div>
        </section>
      )}
      <Secrets endpoint={endpoint} onRolled={setReplaced} />
      <TestEvent endpoint={endpoint} subscribed={subs.data ? subs.data.content.length > 0 : undefined} />
      <EndpointStats endpointId={endpoint.uid} />
      <EndpointSubscriptions endpoint={endpoint} subs={subs} />
    </>
  )
}

function Secrets({endpoint, onRolled}: {endpoint: Endpoint; onRolled: (e: Endpoint) => void}) {
  const {api, apiBase} = useDashboard()
  const [hours, setHours] = useState('24')
  const [secret, setSecret] = useState('')
  const action = useAction()
  const live = liveSecret(endpoint)
  const older = endpoint.secrets.filter((s) => s.expires_at && Date.parse(s.expires_at) > Date.now())
  const roll = async () => {
    const body: Record<string, unknown> = {expiration: /^\d+$/.test(hours) ? Number(hours) : hours}
    if (secret) body.secret = secret
    const updated = await action.run(() =>
      api.data<Endpoint>('PUT', `${apiBase}/endpoints/${encodeURIComponent(endpoint.uid)}/expire_secret`, {body}),
    )
    if (updated) {
      setSecret('')
      onRolled(updated)
    }
  }
  return (
    <section className="panel" aria-label="Secret">
      <h2>Signing secret</h2>
      {live ? <Masked value={live.value} label="Current secret" /> : <p className="muted">No live secret.</p>}
      {older.length > 0 && (
        <ul>
          {older.map((s) => (
            <li key={s.uid}>
              Previous secret still signs until <When iso={s.expires_at} />
            </li>
          ))}
        </ul>
      )}
      <form className="actions" onSubmit={submitTo(roll)}>
        <Field label="Old secret valid for (hours)">
          <input value={hours} onChange={(e) => setHours(e.target.value)} inputMode="numeric" />
        </Field>
        <Field label="New secret" hint="empty: one is generated">
          <input value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="off" />
        </Field>
        <button type="submit" disabled={action.busy}>
          Roll secret
        </button>
      </form>
      <ErrorText error={action.error} />
    </section>
  )
}

/** Sends an event to this endpoint only (the events route with endpoint_id, as `caravan events create` does). */
function TestEvent({endpoint, subscribed}: {endpoint: Endpoint; subscribed?: boolean}) {
  const {api, apiBase, base} = useDashboard()
  const [eventType, setEventType] = useState('test.event')
  const [data, setData] = useState('{\n  "test": true\n}')
  const [sent, setSent] = useState<{uid: string; deliveries: number}>()
  const action = useAction()
  const send = async () => {
    setSent(undefined)
    const event = await action.run(async () => {
      const payload = parseJsonField(data, 'Data') ?? {}
      return api.data<{uid: string; endpoints: string[]}>('POST', `${apiBase}/events`, {
        body: {endpoint_id: endpoint.uid, event_type: eventType, data: payload},
      })
    })
    if (event) setSent({uid: event.uid, deliveries: event.endpoints.length})
  }
  return (
    <form className="panel" aria-label="Test event" onSubmit={submitTo(send)}>
      <h2>Send a test event</h2>
      {subscribed === false && (
        <p className="warn">
          This endpoint has no subscription: an event sent to it is stored but not delivered. Subscribe it below.
        </p>
      )}
      <div className="form-grid">
        <Field label="Event type">
          <input value={eventType} onChange={(e) => setEventType(e.target.value)} />
        </Field>
        <Field label="Data (JSON)" wide>
          <textarea value={data} onChange={(e) => setData(e.target.value)} rows={4} />
        </Field>
      </div>
      <ErrorText error={action.error} />
      <div className="actions">
        <button type="submit" disabled={action.busy}>
          Send test event
        </button>
        {sent && (
          <span role="status">
            Sent: <a href={`${base}/events/${encodeURIComponent(sent.uid)}`}>{sent.uid}</a>
            {sent.deliveries === 0 && <span className="warn"> (no subscription took it: not delivered)</span>}
          </span>
        )}
      </div>
    </form>
  )
}

function EndpointStats({endpointId}: {endpointId: string}) {
  const {api, apiBase} = useDashboard()
  const since = convoyDate(Date.now() - 86_400_000)
  const rates = useLoad(
    () =>
      api.data<FailureRate[]>('GET', `${apiBase}/endpoints/period-failure-rates`, {
        query: {endpointId, startDate: since},
      }),
    [api, apiBase, endpointId],
  )
  const rate = rates.data?.[0]
  return (
    <section className="panel" aria-label="Last 24 hours">
      <h2>Last 24 hours</h2>
      <ErrorText error={rates.error} />
      {rate && (
        <p>
          {rate.success_count} delivered, {rate.failure_count} failed, {rate.retry_count} retrying; failure rate{' '}
          <strong>{rate.period_failure_rate}%</strong>
        </p>
      )}
    </section>
  )
}

function EndpointSubscriptions({endpoint, subs}: {endpoint: Endpoint; subs: Loaded<{content: Subscription[]}>}) {
  const {api, apiBase, base} = useDashboard()
  const action = useAction()
  const subscribe = async () => {
    await action.run(() =>
      api.data('POST', `${apiBase}/subscriptions`, {
        body: {name: `${endpoint.name} (all events)`, endpoint_id: endpoint.uid},
      }),
    )
    subs.reload()
  }
  return (
    <section className="panel" aria-label="Subscriptions of this endpoint">
      <h2>Subscriptions</h2>
      <ErrorText error={subs.error ?? action.error} />
      {subs.data?.content.length === 0 && (
        <p className="row">
          <span className="muted">None: no event reaches this endpoint.</span>
          <button disabled={action.busy} onClick={() => void subscribe()}>
            Subscribe to all events
          </button>
          <a href={`${base}/subscriptions`}>or with filters</a>
        </p>
      )}
      <ul>
        {subs.data?.content.map((s) => (
          <li key={s.uid}>
            {s.name} <span className="muted">({s.filter_config.event_types.join(', ')})</span>
          </li>
        ))}
      </ul>
    </section>
  )
}
