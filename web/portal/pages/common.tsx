import {useState} from 'react'

import {NotFound} from '../App.js'
import type {DeliveryInfo} from '../context.js'

/** Loading, not-found and error states of a loaded value, or the content. */
export function Loaded<T>(props: {
  state: {value?: T; error?: Error; notFound: boolean}
  what: string
  children: (value: T) => React.ReactNode
}) {
  if (props.state.notFound) return <NotFound what={props.what} />
  if (props.state.error)
    return (
      <p className="error" role="alert">
        {props.state.error.message}
      </p>
    )
  if (props.state.value === undefined) return <p className="muted">Loading…</p>
  return <>{props.children(props.state.value)}</>
}

/** A button's action: disabled while it runs, its outcome said next to it. */
export function useAction() {
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<{ok: boolean; text: string}>()
  const run = async (work: () => Promise<string | void>) => {
    setBusy(true)
    setOutcome(undefined)
    try {
      const text = await work()
      if (text) setOutcome({ok: true, text})
    } catch (error) {
      setOutcome({ok: false, text: (error as Error).message})
    } finally {
      setBusy(false)
    }
  }
  const shown = outcome ? (
    <span className={outcome.ok ? 'ok' : 'error'} role={outcome.ok ? 'status' : 'alert'}>
      {outcome.text}
    </span>
  ) : null
  return {busy, run, shown}
}

export function StatusBadge({status}: {status: string}) {
  return <span className={`badge ${status}`}>{status}</span>
}

export function DeliveryStatuses({deliveries}: {deliveries: DeliveryInfo[]}) {
  if (deliveries.length === 0) return <span className="muted">no delivery</span>
  return (
    <span className="row">
      {deliveries.map((d) => (
        <StatusBadge key={d.id} status={d.status} />
      ))}
    </span>
  )
}
