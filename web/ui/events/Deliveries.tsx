// An event's deliveries, each with its attempts (request and response), and the actions on
// one delivery: retry a failed one, force-resend a successful one.
import {useState} from 'react'

import type {ApiClient} from '../../shared/api.js'
import {plural, shortTime} from './format.js'
import {HeadersTable} from './HeadersTable.js'
import type {AttemptJson, DeliveryJson} from './types.js'

export interface DeliveryWithAttempts {
  delivery: DeliveryJson
  attempts: AttemptJson[]
}

const RETRYABLE = new Set(['Failure', 'Discarded'])

export function Deliveries(props: {
  api: ApiClient
  apiBase: string
  items: DeliveryWithAttempts[]
  onChange: () => void
}) {
  if (props.items.length === 0) return <p className="muted">No deliveries (no subscription or listener matched).</p>
  return (
    <div className="stack">
      {props.items.map((item) => (
        <DeliveryCard key={item.delivery.uid} {...props} item={item} />
      ))}
    </div>
  )
}

function DeliveryCard(props: {api: ApiClient; apiBase: string; item: DeliveryWithAttempts; onChange: () => void}) {
  const {delivery: d, attempts} = props.item
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ok: boolean; text: string}>()
  const act = (run: () => Promise<{message: string}>) => {
    setBusy(true)
    setResult(undefined)
    run()
      .then(
        (res) => {
          setResult({ok: true, text: res.message})
          props.onChange()
        },
        (error: Error) => setResult({ok: false, text: error.message}),
      )
      .finally(() => setBusy(false))
  }
  const endpoint = d.endpoint_metadata?.name ?? d.endpoint_id
  return (
    <section className="panel delivery" aria-label={`Delivery ${d.uid}`} data-delivery-id={d.uid}>
      <div className="row">
        <strong>→ {endpoint}</strong>
        <span className={`badge ${d.status}`}>{d.status}</span>
        <span className="muted mono">{d.uid}</span>
        {d.description ? <span className="muted">{d.description}</span> : null}
        <span className="muted">
          {plural(d.metadata.num_trials, 'attempt')}, {plural(d.metadata.retry_limit, 'retry', 'retries')} allowed
        </span>
        <span className="spacer" />
        <button
          type="button"
          disabled={busy || !RETRYABLE.has(d.status)}
          title={RETRYABLE.has(d.status) ? undefined : 'Only failed or discarded deliveries are retried'}
          onClick={() =>
            act(() => props.api.request('PUT', `${props.apiBase}/eventdeliveries/${encodeURIComponent(d.uid)}/resend`))
          }
        >
          Retry
        </button>
        <button
          type="button"
          disabled={busy || d.status !== 'Success'}
          title={d.status === 'Success' ? undefined : 'Force resend is for successful deliveries'}
          onClick={() =>
            act(() => props.api.request('POST', `${props.apiBase}/eventdeliveries/forceresend`, {body: {ids: [d.uid]}}))
          }
        >
          Force resend
        </button>
      </div>
      {result ? (
        <p className={result.ok ? 'ok' : 'error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </p>
      ) : null}
      {attempts.length === 0 ? <p className="muted">No attempts yet.</p> : null}
      {attempts.map((a) => (
        <Attempt key={a.uid} attempt={a} />
      ))}
    </section>
  )
}

function Attempt(props: {attempt: AttemptJson}) {
  const a = props.attempt
  const ok = a.http_status.startsWith('2')
  return (
    <details className="attempt">
      <summary>
        <span className={ok ? 'ok' : 'error'}>{a.http_status ? `HTTP ${a.http_status}` : 'no response'}</span>
        <span className="muted">
          {' '}
          · {a.latency_ms ?? '–'} ms · {shortTime(a.created_at)} ·{' '}
        </span>
        <span className="mono">
          {a.method} {a.url}
        </span>
        {a.error ? <span className="error"> · {a.error}</span> : null}
      </summary>
      <div className="attempt-body">
        <h4>Request headers</h4>
        <HeadersTable headers={a.request_http_header} label="Request headers" />
        <h4>Response headers</h4>
        <HeadersTable headers={a.response_http_header} label="Response headers" />
        <h4>Response body</h4>
        {a.response_data ? <pre className="response-body">{a.response_data}</pre> : <p className="muted">(empty)</p>}
      </div>
    </details>
  )
}
