// Event types: the catalogue of what this project sends, with JSON schemas; created here,
// or imported from an OpenAPI document's webhooks.
import {useState} from 'react'

import {useDashboard} from '../context.js'
import {useAction, useLoad} from '../manage/hooks.js'
import type {EventType} from '../manage/types.js'
import {ErrorText, Field, FormActions, PageHead, parseJsonField, pretty, submitTo, When} from '../manage/ui.js'

export function EventTypesPage() {
  const {api, apiBase} = useDashboard()
  const list = useLoad(() => api.data<EventType[]>('GET', `${apiBase}/event-types`), [api, apiBase])
  const [form, setForm] = useState<EventType | 'new' | 'import'>()
  const [shown, setShown] = useState<string>()
  const action = useAction()
  const done = () => {
    setForm(undefined)
    list.reload()
  }
  const deprecate = async (t: EventType) => {
    await action.run(() => api.data('POST', `${apiBase}/event-types/${encodeURIComponent(t.uid)}/deprecate`))
    list.reload()
  }

  return (
    <>
      <PageHead title="Event types">
        <button onClick={() => setForm('import')} disabled={form !== undefined}>
          Import OpenAPI
        </button>
        <button className="primary" onClick={() => setForm('new')} disabled={form !== undefined}>
          New event type
        </button>
      </PageHead>
      {form === 'import' && <ImportForm onDone={done} onCancel={() => setForm(undefined)} />}
      {form && form !== 'import' && (
        <EventTypeForm
          key={form === 'new' ? 'new' : form.uid}
          eventType={form === 'new' ? undefined : form}
          onDone={done}
          onCancel={() => setForm(undefined)}
        />
      )}
      <ErrorText error={list.error ?? action.error} />
      <table aria-label="Event types">
        <thead>
          <tr>
            <th>Name</th>
            <th>Category</th>
            <th>Description</th>
            <th>Deprecated</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.data?.map((t) => (
            <EventTypeRow
              key={t.uid}
              type={t}
              open={shown === t.uid}
              onToggle={() => setShown(shown === t.uid ? undefined : t.uid)}
              onEdit={() => setForm(t)}
              onDeprecate={() => void deprecate(t)}
            />
          ))}
        </tbody>
      </table>
      {list.data?.length === 0 && <p className="muted">No event types yet.</p>}
    </>
  )
}

function EventTypeRow(props: {
  type: EventType
  open: boolean
  onToggle: () => void
  onEdit: () => void
  onDeprecate: () => void
}) {
  const t = props.type
  return (
    <>
      <tr>
        <td>
          <code>{t.name}</code>
        </td>
        <td>{t.category}</td>
        <td>{t.description}</td>
        <td>{t.deprecated_at ? <When iso={t.deprecated_at} /> : '—'}</td>
        <td className="row">
          <button onClick={props.onToggle} aria-expanded={props.open}>
            Schema
          </button>
          <button onClick={props.onEdit}>Edit</button>
          {!t.deprecated_at && <button onClick={props.onDeprecate}>Deprecate</button>}
        </td>
      </tr>
      {props.open && (
        <tr>
          <td colSpan={5}>
            {t.json_schema ? (
              <pre aria-label={`Schema of ${t.name}`}>{pretty(t.json_schema)}</pre>
            ) : (
              <span className="muted">No schema.</span>
            )}
          </td>
        </tr>
      )}
    </>
  )
}

function EventTypeForm(props: {eventType?: EventType; onDone: () => void; onCancel: () => void}) {
  const {api, apiBase} = useDashboard()
  const t = props.eventType
  const [name, setName] = useState(t?.name ?? '')
  const [category, setCategory] = useState(t?.category ?? '')
  const [description, setDescription] = useState(t?.description ?? '')
  const [schema, setSchema] = useState(t?.json_schema ? pretty(t.json_schema) : '')
  const action = useAction()
  const save = async () => {
    const ok = await action.run(() => {
      const body = {name, category, description, json_schema: parseJsonField(schema, 'JSON schema')}
      return t
        ? api.data('PUT', `${apiBase}/event-types/${encodeURIComponent(t.uid)}`, {body})
        : api.data('POST', `${apiBase}/event-types`, {body})
    })
    if (ok) props.onDone()
  }
  return (
    <form className="panel" aria-label={t ? 'Edit event type' : 'New event type'} onSubmit={submitTo(save)}>
      <div className="form-grid">
        <Field label="Name" hint="e.g. invoice.paid">
          <input value={name} onChange={(e) => setName(e.target.value)} disabled={Boolean(t)} />
        </Field>
        <Field label="Category">
          <input value={category} onChange={(e) => setCategory(e.target.value)} />
        </Field>
        <Field label="Description" wide>
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <Field label="JSON schema" wide>
          <textarea value={schema} onChange={(e) => setSchema(e.target.value)} rows={6} />
        </Field>
      </div>
      <ErrorText error={action.error} />
      <FormActions submit={t ? 'Save event type' : 'Create event type'} busy={action.busy} onCancel={props.onCancel} />
    </form>
  )
}

function ImportForm(props: {onDone: () => void; onCancel: () => void}) {
  const {api, apiBase} = useDashboard()
  const [spec, setSpec] = useState('')
  const [imported, setImported] = useState<string[]>()
  const action = useAction()
  const run = async () => {
    const types = await action.run(() => api.data<EventType[]>('POST', `${apiBase}/event-types/import`, {body: {spec}}))
    if (types) setImported(types.map((t) => t.name))
  }
  return (
    <form className="panel" aria-label="Import event types" onSubmit={submitTo(run)}>
      <Field label="OpenAPI document (JSON, with webhooks)" wide>
        <textarea value={spec} onChange={(e) => setSpec(e.target.value)} rows={10} />
      </Field>
      <ErrorText error={action.error} />
      {imported && (
        <p role="status">
          Imported {imported.length}: {imported.join(', ')}
        </p>
      )}
      <div className="actions">
        {imported ? (
          <button onClick={props.onDone} type="button">
            Done
          </button>
        ) : (
          <>
            <button className="primary" type="submit" disabled={action.busy}>
              Import
            </button>
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          </>
        )}
      </div>
    </form>
  )
}
