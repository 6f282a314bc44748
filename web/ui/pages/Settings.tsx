// Project settings through the project update route: retries, signatures, rate limit,
// circuit breaker, retention, schema validation and meta events. The server validates the
// whole change before storing any of it, and its message is shown as it is.
import {useState} from 'react'

import {type Project, useDashboard} from '../context.js'
import {useAction} from '../manage/hooks.js'
import {ErrorText, Field, num, PageHead, submitTo} from '../manage/ui.js'

interface Version {
  uid?: string
  hash: string
  encoding: string
  created_at?: string
}

interface Config {
  strategy?: {type?: string; duration?: number; retry_count?: number}
  signature?: {header?: string; scheme?: string; versions?: Version[]}
  ratelimit?: {count?: number; duration?: number}
  circuit_breaker?: {consecutive_failure_threshold?: number; error_timeout?: number}
  retention_policy?: {policy?: string}
  validate_event_schemas?: boolean
  disable_endpoint?: boolean
  add_event_id_trace_headers?: boolean
  meta_event?: {is_enabled?: boolean; url?: string; secret?: string; event_type?: string[]}
}

const META_TYPES = ['endpoint.disabled', 'eventdelivery.success', 'eventdelivery.failed']
const str = (v: unknown) => (v === undefined || v === null ? '' : String(v))

function formOf(project: Project) {
  const c = (project.config ?? {}) as Config
  return {
    name: project.name,
    strategy: c.strategy?.type ?? 'linear',
    duration: str(c.strategy?.duration),
    retry_count: str(c.strategy?.retry_count),
    sig_header: c.signature?.header ?? '',
    sig_scheme: c.signature?.scheme ?? 'convoy',
    versions: (c.signature?.versions ?? []).map((v) => ({...v})),
    rl_count: str(c.ratelimit?.count),
    rl_duration: str(c.ratelimit?.duration),
    cb_threshold: str(c.circuit_breaker?.consecutive_failure_threshold),
    cb_timeout: str(c.circuit_breaker?.error_timeout),
    retention: c.retention_policy?.policy ?? '',
    validate: c.validate_event_schemas ?? false,
    disable_endpoint: c.disable_endpoint ?? false,
    trace_headers: c.add_event_id_trace_headers ?? false,
    meta_enabled: c.meta_event?.is_enabled ?? false,
    meta_url: c.meta_event?.url ?? '',
    meta_secret: c.meta_event?.secret ?? '',
    meta_types: c.meta_event?.event_type ?? [],
  }
}
type Form = ReturnType<typeof formOf>

function bodyOf(f: Form) {
  return {
    name: f.name,
    config: {
      strategy: {type: f.strategy, duration: num(f.duration), retry_count: num(f.retry_count)},
      signature: {header: f.sig_header, scheme: f.sig_scheme, versions: f.versions},
      ratelimit: {count: num(f.rl_count), duration: num(f.rl_duration)},
      circuit_breaker: {consecutive_failure_threshold: num(f.cb_threshold), error_timeout: num(f.cb_timeout)},
      ...(f.retention ? {retention_policy: {policy: f.retention}} : {}),
      validate_event_schemas: f.validate,
      disable_endpoint: f.disable_endpoint,
      add_event_id_trace_headers: f.trace_headers,
      meta_event: {
        is_enabled: f.meta_enabled,
        type: 'http',
        url: f.meta_url,
        secret: f.meta_secret || undefined,
        event_type: f.meta_types,
      },
    },
  }
}

export function SettingsPage() {
  const {project} = useDashboard()
  // A fresh form for another project; after a save the form already shows what was stored.
  return <SettingsForm key={project.uid} project={project} />
}

function SettingsForm({project}: {project: Project}) {
  const {api, apiBase, reloadProject} = useDashboard()
  const [f, setF] = useState(() => formOf(project))
  const [saved, setSaved] = useState(false)
  const action = useAction()
  const text = (name: keyof Form) => (e: {target: {value: string}}) => {
    setSaved(false)
    setF({...f, [name]: e.target.value})
  }
  const check = (name: keyof Form) => (e: {target: {checked: boolean}}) => {
    setSaved(false)
    setF({...f, [name]: e.target.checked})
  }
  const setVersion = (i: number, patch: Partial<Version>) =>
    setF({...f, versions: f.versions.map((v, j) => (j === i ? {...v, ...patch} : v))})

  const save = async () => {
    setSaved(false)
    const ok = await action.run(() => api.data('PUT', apiBase, {body: bodyOf(f)}))
    if (ok) {
      setSaved(true)
      await reloadProject()
    }
  }

  return (
    <form aria-label="Project settings" onSubmit={submitTo(save)}>
      <PageHead title="Project settings">
        {saved && (
          <span role="status" className="ok">
            Saved
          </span>
        )}
        <button className="primary" type="submit" disabled={action.busy}>
          Save settings
        </button>
      </PageHead>
      <ErrorText error={action.error} />
      <section className="panel">
        <div className="form-grid">
          <Field label="Project name">
            <input value={f.name} onChange={text('name')} />
          </Field>
          <Field label="Project ID">
            <input value={project.uid} readOnly />
          </Field>
        </div>
      </section>
      <section className="panel" aria-label="Retries">
        <h2>Retries</h2>
        <div className="form-grid">
          <Field label="Retry strategy">
            <select value={f.strategy} onChange={text('strategy')}>
              <option value="linear">linear</option>
              <option value="exponential">exponential</option>
            </select>
          </Field>
          <Field label="Retry interval (s)" hint="1–86400">
            <input value={f.duration} onChange={text('duration')} inputMode="numeric" />
          </Field>
          <Field label="Retry count" hint="0–100">
            <input value={f.retry_count} onChange={text('retry_count')} inputMode="numeric" />
          </Field>
        </div>
      </section>
      <section className="panel" aria-label="Signature">
        <h2>Signature</h2>
        <div className="form-grid">
          <Field label="Signature header">
            <input value={f.sig_header} onChange={text('sig_header')} />
          </Field>
          <Field label="Signature scheme">
            <select value={f.sig_scheme} onChange={text('sig_scheme')}>
              <option value="convoy">convoy</option>
              <option value="standard-webhooks">standard-webhooks</option>
            </select>
          </Field>
        </div>
        <table aria-label="Signature versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Hash</th>
              <th>Encoding</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {f.versions.map((v, i) => (
              <tr key={v.uid ?? `new-${i}`}>
                <td>{i + 1}</td>
                <td>
                  <select
                    aria-label={`Hash of version ${i + 1}`}
                    value={v.hash}
                    onChange={(e) => setVersion(i, {hash: e.target.value})}
                  >
                    <option>SHA256</option>
                    <option>SHA512</option>
                  </select>
                </td>
                <td>
                  <select
                    aria-label={`Encoding of version ${i + 1}`}
                    value={v.encoding}
                    onChange={(e) => setVersion(i, {encoding: e.target.value})}
                  >
                    <option>hex</option>
                    <option>base64</option>
                  </select>
                </td>
                <td>
                  <button type="button" onClick={() => setF({...f, versions: f.versions.filter((_, j) => j !== i)})}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="actions">
          <button
            type="button"
            onClick={() => setF({...f, versions: [...f.versions, {hash: 'SHA256', encoding: 'hex'}]})}
          >
            Add version
          </button>
        </div>
      </section>
      <section className="panel" aria-label="Limits">
        <h2>Rate limit and circuit breaker</h2>
        <div className="form-grid">
          <Field label="Rate limit count">
            <input value={f.rl_count} onChange={text('rl_count')} inputMode="numeric" />
          </Field>
          <Field label="Rate limit duration (s)">
            <input value={f.rl_duration} onChange={text('rl_duration')} inputMode="numeric" />
          </Field>
          <Field label="Failures before the breaker opens">
            <input value={f.cb_threshold} onChange={text('cb_threshold')} inputMode="numeric" />
          </Field>
          <Field label="Breaker open for (s)">
            <input value={f.cb_timeout} onChange={text('cb_timeout')} inputMode="numeric" />
          </Field>
          <label className="check">
            <input type="checkbox" checked={f.disable_endpoint} onChange={check('disable_endpoint')} />
            Disable an endpoint that keeps failing
          </label>
        </div>
      </section>
      <section className="panel" aria-label="Events">
        <h2>Events</h2>
        <div className="form-grid">
          <Field label="Retention" hint="e.g. 30d or 720h; empty: the relay default">
            <input value={f.retention} onChange={text('retention')} />
          </Field>
          <label className="check">
            <input type="checkbox" checked={f.validate} onChange={check('validate')} />
            Validate event payloads against their event type's schema
          </label>
          <label className="check">
            <input type="checkbox" checked={f.trace_headers} onChange={check('trace_headers')} />
            Add event-id trace headers
          </label>
        </div>
      </section>
      <section className="panel" aria-label="Meta events">
        <h2>Meta events</h2>
        <div className="form-grid">
          <label className="check">
            <input type="checkbox" checked={f.meta_enabled} onChange={check('meta_enabled')} />
            Send meta events
          </label>
          <Field label="Meta event URL" wide>
            <input value={f.meta_url} onChange={text('meta_url')} />
          </Field>
          <Field label="Meta event secret" hint="empty: keep the current one">
            <input value={f.meta_secret} onChange={text('meta_secret')} autoComplete="off" />
          </Field>
          <fieldset className="check">
            <legend className="muted">Types (none checked: all)</legend>
            {META_TYPES.map((t) => (
              <label key={t} className="check">
                <input
                  type="checkbox"
                  checked={f.meta_types.includes(t)}
                  onChange={(e) =>
                    setF({
                      ...f,
                      meta_types: e.target.checked ? [...f.meta_types, t] : f.meta_types.filter((x) => x !== t),
                    })
                  }
                />
                {t}
              </label>
            ))}
          </fieldset>
        </div>
      </section>
    </form>
  )
}
