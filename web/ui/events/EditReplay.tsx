// Edit and replay (the inspector's `e`): change the request's headers and body, and the relay
// stores the edited request as a new event and delivers it to an endpoint the original went to
// (a running `caravan listen` forwards it to its app). The browser cannot reach the app itself.
import {useState} from 'react'

import type {ApiClient} from '../../shared/api.js'
import {asText, fromBase64, toBase64} from './bytes.js'
import {type ReplayTarget, TargetSelect} from './Replay.js'
import type {EventJson} from './types.js'

type Headers = Record<string, string[]>

/** One `name: value` line per value, in the stored order. */
export function headersText(headers: Headers | null): string {
  return Object.entries(headers ?? {})
    .flatMap(([name, values]) => values.map((v) => `${name}: ${v}`))
    .join('\n')
}

/** `name: value` lines back to headers; the first line that is not one, as an error. */
export function parseHeadersText(text: string): {headers: Headers} | {error: string} {
  const out: Headers = {}
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon).trim() : ''
    if (!name) return {error: `Headers, line ${i + 1}: expected "name: value"`}
    ;(out[name.toLowerCase()] ??= []).push(line.slice(colon + 1).replace(/^[ \t]+/, ''))
  }
  return {headers: out}
}

interface Edited {
  uid: string
  notes: string[]
}

export function EditReplay(props: {
  api: ApiClient
  apiBase: string
  base: string
  event: EventJson
  targets: ReplayTarget[]
  disabled?: string
  onDone: () => void
}) {
  const {event} = props
  const bytes = fromBase64(event.body_base64 ?? '')
  const text = asText(bytes)
  // A text box turns CR LF into LF: such bodies, like binary ones, are edited as base64.
  const asBase64 = text === undefined || text.includes('\r')
  const [open, setOpen] = useState(false)
  const [headers, setHeaders] = useState(() => headersText(event.headers))
  const [body, setBody] = useState(() => (asBase64 ? event.body_base64 : (text ?? '')))
  const [target, setTarget] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string>()
  const [done, setDone] = useState<Edited>()

  if (props.disabled)
    return (
      <div className="row">
        <button type="button" disabled>
          Edit and replay
        </button>
        <span className="muted">{props.disabled}</span>
      </div>
    )
  if (props.targets.length === 0) return null
  if (!open)
    return (
      <div className="row">
        <button type="button" onClick={() => setOpen(true)}>
          Edit and replay
        </button>
      </div>
    )

  const send = () => {
    const parsed = parseHeadersText(headers)
    if ('error' in parsed) return setError(parsed.error)
    let bodyBase64: string
    try {
      bodyBase64 = asBase64 ? toBase64(fromBase64(body.replace(/\s+/g, ''))) : toBase64(new TextEncoder().encode(body))
    } catch {
      return setError('Body: not valid base64')
    }
    setBusy(true)
    setError(undefined)
    setDone(undefined)
    props.api
      .data<Edited>('POST', `${props.apiBase}/events/${encodeURIComponent(event.uid)}/replay-edited`, {
        body: {body_base64: bodyBase64, headers: parsed.headers, endpoint_ids: target ? [target] : undefined},
      })
      .then(
        (made) => {
          setDone(made)
          props.onDone()
        },
        (e: Error) => setError(e.message),
      )
      .finally(() => setBusy(false))
  }

  return (
    <form
      className="stack edit-replay"
      aria-label="Edit and replay"
      onSubmit={(e) => {
        e.preventDefault()
        send()
      }}
    >
      <h3>Edit and replay</h3>
      <p className="muted">
        The relay stores the edited request as a new event and delivers it; provider signatures are re-made with the
        source&apos;s secret when it has one.
      </p>
      <label className="stack">
        <span>Headers (one “name: value” per line)</span>
        <textarea
          className="mono"
          rows={Math.min(12, headers.split('\n').length + 1)}
          value={headers}
          spellCheck={false}
          onChange={(e) => setHeaders(e.target.value)}
        />
      </label>
      <label className="stack">
        <span>{asBase64 ? 'Body (base64)' : 'Body'}</span>
        <textarea
          className="mono"
          rows={12}
          value={body}
          spellCheck={false}
          onChange={(e) => setBody(e.target.value)}
        />
      </label>
      {asBase64 ? (
        <p className="muted">
          The body is binary (or holds carriage returns a text box would change): it is edited as base64 of its exact
          bytes.
        </p>
      ) : null}
      <div className="row">
        <TargetSelect label="Send edited to" targets={props.targets} value={target} onChange={setTarget} />
        <button type="submit" disabled={busy}>
          Send
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Close
        </button>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {done ? (
        <div className="ok stack" role="status">
          <span>
            Sent as a new event: <a href={`${props.base}/events/${encodeURIComponent(done.uid)}`}>{done.uid}</a>
          </span>
          {done.notes.map((note) => (
            <span key={note} className="muted">
              {note}
            </span>
          ))}
        </div>
      ) : null}
    </form>
  )
}
