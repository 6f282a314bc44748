// Replay an event through the relay: again to every endpoint it went to, or to one of them —
// a `caravan listen` listener among them gets it on its stream and forwards it to its app.
import {useState} from 'react'

import type {ApiClient} from '../../shared/api.js'
import type {DeliveryJson, ListenerJson} from './types.js'

export interface ReplayTarget {
  endpointId: string
  label: string
}

/** The endpoints an event's deliveries went to, once each; listeners named as such. */
export function replayTargets(deliveries: DeliveryJson[], listeners: ListenerJson[]): ReplayTarget[] {
  const seen = new Map<string, ReplayTarget>()
  for (const d of deliveries) {
    if (seen.has(d.endpoint_id)) continue
    const listener = listeners.find((l) => l.listener_id === d.endpoint_id)
    const name = d.endpoint_metadata?.name ?? d.endpoint_id
    const label = listener
      ? `listener ${listener.name ?? name} → ${listener.target} (running)`
      : `${name}${d.endpoint_metadata?.url ? ` (${d.endpoint_metadata.url})` : ''}`
    seen.set(d.endpoint_id, {endpointId: d.endpoint_id, label})
  }
  return [...seen.values()]
}

/** Where a replay goes: every endpoint the event went to (""), or one of them. */
export function TargetSelect(props: {
  label: string
  targets: ReplayTarget[]
  value: string
  onChange: (endpointId: string) => void
}) {
  return (
    <select aria-label={props.label} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
      <option value="">every endpoint it went to</option>
      {props.targets.map((t) => (
        <option key={t.endpointId} value={t.endpointId}>
          {t.label}
        </option>
      ))}
    </select>
  )
}

export function Replay(props: {
  api: ApiClient
  apiBase: string
  eventId: string
  targets: ReplayTarget[]
  disabled?: string
  onDone: () => void
}) {
  const [target, setTarget] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<{ok: boolean; text: string}>()
  if (props.disabled) return <span className="muted">{props.disabled}</span>
  if (props.targets.length === 0)
    return <span className="muted">No replay: the event went to no endpoint (no subscription matched).</span>
  return (
    <form
      className="row replay"
      onSubmit={(e) => {
        e.preventDefault()
        setBusy(true)
        setResult(undefined)
        props.api
          .request<{message: string}>('PUT', `${props.apiBase}/events/${encodeURIComponent(props.eventId)}/replay`, {
            query: {endpointId: target || undefined},
          })
          .then(
            (res) => {
              setResult({ok: true, text: res.message})
              props.onDone()
            },
            (error: Error) => setResult({ok: false, text: error.message}),
          )
          .finally(() => setBusy(false))
      }}
    >
      <TargetSelect label="Replay to" targets={props.targets} value={target} onChange={setTarget} />
      <button type="submit" disabled={busy}>
        Replay
      </button>
      {result ? (
        <span className={result.ok ? 'ok' : 'error'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </span>
      ) : null}
    </form>
  )
}
