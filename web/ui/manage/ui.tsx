// Small building blocks of the management pages. Everything from the API is rendered as
// text (React escapes it); nothing here sets HTML.
import {type FormEvent, type ReactNode, useState} from 'react'

import './manage.css'

export function ErrorText({error}: {error?: string}) {
  return error ? (
    <p role="alert" className="error">
      {error}
    </p>
  ) : null
}

export function Field(props: {label: string; hint?: string; children: ReactNode; wide?: boolean}) {
  // The hint sits outside the <label>, so the control's accessible name is the label alone.
  return (
    <div className={props.wide ? 'field wide' : 'field'}>
      <label>
        <span>{props.label}</span>
        {props.children}
      </label>
      {props.hint && <small className="muted">{props.hint}</small>}
    </div>
  )
}

/** A form's submit handler that runs `work` (which reports its own errors) instead of navigating. */
export function submitTo(work: () => Promise<unknown>) {
  return (e: FormEvent) => {
    e.preventDefault()
    void work()
  }
}

/** A create/edit form's buttons: submit (disabled while it runs) and cancel. */
export function FormActions(props: {submit: string; busy: boolean; onCancel: () => void}) {
  return (
    <div className="actions">
      <button className="primary" type="submit" disabled={props.busy}>
        {props.submit}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  )
}

export function PageHead(props: {title: string; children?: ReactNode}) {
  return (
    <div className="page-head">
      <h1>{props.title}</h1>
      <span className="spacer" />
      {props.children}
    </div>
  )
}

/** A destructive button that asks once more, inline. */
export function ConfirmButton(props: {label: string; question: string; onConfirm: () => void; disabled?: boolean}) {
  const [asking, setAsking] = useState(false)
  if (!asking)
    return (
      <button className="danger" disabled={props.disabled} onClick={() => setAsking(true)}>
        {props.label}
      </button>
    )
  return (
    <span className="confirm" role="group" aria-label={props.question}>
      <span>{props.question}</span>
      <button
        className="danger"
        onClick={() => {
          setAsking(false)
          props.onConfirm()
        }}
      >
        Yes, {props.label.toLowerCase()}
      </button>
      <button onClick={() => setAsking(false)}>Cancel</button>
    </span>
  )
}

/** A secret shown as dots until revealed. */
export function Masked({value, label}: {value: string; label: string}) {
  const [shown, setShown] = useState(false)
  return (
    <span className="row">
      <code aria-label={label}>{shown ? value : '•'.repeat(Math.min(24, value.length))}</code>
      <button onClick={() => setShown(!shown)}>{shown ? 'Hide' : 'Reveal'}</button>
    </span>
  )
}

/** Text with a copy button; the text stays visible for when the clipboard is not allowed. */
export function Copyable({value, label}: {value: string; label: string}) {
  const [copied, setCopied] = useState<string>()
  return (
    <span className="row">
      <code aria-label={label}>{value}</code>
      <button
        onClick={() =>
          navigator.clipboard.writeText(value).then(
            () => setCopied('Copied'),
            () => setCopied('Copy refused: select the text'),
          )
        }
      >
        Copy
      </button>
      {copied && (
        <span className="muted" role="status">
          {copied}
        </span>
      )}
    </span>
  )
}

export function StatusBadge({status}: {status: string}) {
  return <span className={`badge st-${status.replace(/[^a-zA-Z_-]/g, '')}`}>{status}</span>
}

/** "3 min ago" style for timestamps, with the exact time on hover. */
export function When({iso}: {iso: string}) {
  if (!iso) return <span className="muted">—</span>
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return <span>{iso}</span>
  return (
    <time dateTime={iso} title={iso}>
      {new Date(ms).toLocaleString()}
    </time>
  )
}

/** Parse JSON typed by the user; the error names the field. */
export function parseJsonField(text: string, field: string): unknown {
  if (!text.trim()) return undefined
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new Error(`${field}: not valid JSON (${(e as Error).message})`)
  }
}

export function pretty(value: unknown): string {
  return JSON.stringify(value, null, 2)
}

/** Numbers go as numbers so the server judges them; anything else goes as typed and is refused with the server's reason. */
export function num(text: string): number | string | undefined {
  const t = text.trim()
  if (!t) return undefined
  return /^-?\d+$/.test(t) ? Number(t) : t
}
