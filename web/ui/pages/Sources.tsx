// Sources: where providers send webhooks in. Each has an ingest URL to paste at the provider.
import {useState} from 'react'

import {useDashboard} from '../context.js'
import {useAction, usePaged} from '../manage/hooks.js'
import type {Source} from '../manage/types.js'
import {ConfirmButton, Copyable, ErrorText, Field, FormActions, PageHead, submitTo} from '../manage/ui.js'

const PROVIDERS = ['github', 'stripe', 'shopify', 'standard-webhooks']

export function SourcesPage() {
  const {api, apiBase} = useDashboard()
  const list = usePaged<Source>(api, `${apiBase}/sources`)
  const [creating, setCreating] = useState(false)
  const action = useAction()
  const remove = async (s: Source) => {
    await action.run(() => api.request('DELETE', `${apiBase}/sources/${encodeURIComponent(s.uid)}`))
    list.reload()
  }
  return (
    <>
      <PageHead title="Sources">
        <button className="primary" onClick={() => setCreating(true)} disabled={creating}>
          New source
        </button>
      </PageHead>
      {creating && (
        <SourceForm
          onSaved={() => {
            setCreating(false)
            list.reload()
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <ErrorText error={list.error ?? action.error} />
      <table aria-label="Sources">
        <thead>
          <tr>
            <th>Name</th>
            <th>Verification</th>
            <th>Ingest URL</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.items.map((s) => (
            <tr key={s.uid}>
              <td>
                {s.name} {s.is_disabled && <span className="badge">disabled</span>}
              </td>
              <td>{s.provider || s.verifier.type}</td>
              <td>
                <Copyable value={s.url} label={`Ingest URL of ${s.name}`} />
              </td>
              <td>
                <ConfirmButton label="Delete" question={`Delete ${s.name}?`} onConfirm={() => void remove(s)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!list.loading && list.items.length === 0 && <p className="muted">No sources yet.</p>}
      {list.hasMore && <button onClick={list.more}>More</button>}
    </>
  )
}

type Verifier = 'noop' | 'hmac' | 'basic_auth' | 'api_key'

function SourceForm(props: {onSaved: (s: Source) => void; onCancel: () => void}) {
  const {api, apiBase} = useDashboard()
  const [f, setF] = useState({
    name: '',
    provider: '',
    verifier: 'noop' as Verifier,
    secret: '',
    header: '',
    hash: 'SHA256',
    encoding: 'hex',
    username: '',
    password: '',
    header_name: '',
    header_value: '',
  })
  const action = useAction()
  const set = (name: keyof typeof f) => (e: {target: {value: string}}) => setF({...f, [name]: e.target.value})

  const verifier = () => {
    if (f.provider) return {type: 'hmac', hmac: {secret: f.secret}}
    switch (f.verifier) {
      case 'hmac':
        return {type: 'hmac', hmac: {header: f.header, hash: f.hash, encoding: f.encoding, secret: f.secret}}
      case 'basic_auth':
        return {type: 'basic_auth', basic_auth: {username: f.username, password: f.password}}
      case 'api_key':
        return {type: 'api_key', api_key: {header_name: f.header_name, header_value: f.header_value}}
      default:
        return {type: 'noop'}
    }
  }
  const save = async () => {
    const body = {name: f.name, type: 'http', provider: f.provider || undefined, verifier: verifier()}
    const saved = await action.run(() => api.data<Source>('POST', `${apiBase}/sources`, {body}))
    if (saved) props.onSaved(saved)
  }

  return (
    <form className="panel" aria-label="New source" onSubmit={submitTo(save)}>
      <div className="form-grid">
        <Field label="Name">
          <input value={f.name} onChange={set('name')} />
        </Field>
        <Field label="Provider" hint="a provider sets the signature check">
          <select value={f.provider} onChange={set('provider')}>
            <option value="">none (choose a verifier)</option>
            {PROVIDERS.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </Field>
        {!f.provider && (
          <Field label="Verifier">
            <select value={f.verifier} onChange={set('verifier')}>
              <option value="noop">none (accept everything)</option>
              <option value="hmac">HMAC signature</option>
              <option value="basic_auth">Basic auth</option>
              <option value="api_key">API key header</option>
            </select>
          </Field>
        )}
        {!f.provider && f.verifier === 'hmac' && (
          <>
            <Field label="Signature header">
              <input value={f.header} onChange={set('header')} />
            </Field>
            <Field label="Hash">
              <select value={f.hash} onChange={set('hash')}>
                <option>SHA256</option>
                <option>SHA512</option>
              </select>
            </Field>
            <Field label="Encoding">
              <select value={f.encoding} onChange={set('encoding')}>
                <option>hex</option>
                <option>base64</option>
              </select>
            </Field>
          </>
        )}
        {(f.provider || f.verifier === 'hmac') && (
          <Field label="Signing secret">
            <input value={f.secret} onChange={set('secret')} autoComplete="off" />
          </Field>
        )}
        {!f.provider && f.verifier === 'basic_auth' && (
          <>
            <Field label="Username">
              <input value={f.username} onChange={set('username')} />
            </Field>
            <Field label="Password">
              <input value={f.password} onChange={set('password')} type="password" autoComplete="off" />
            </Field>
          </>
        )}
        {!f.provider && f.verifier === 'api_key' && (
          <>
            <Field label="Header name">
              <input value={f.header_name} onChange={set('header_name')} />
            </Field>
            <Field label="Header value">
              <input value={f.header_value} onChange={set('header_value')} autoComplete="off" />
            </Field>
          </>
        )}
      </div>
      <ErrorText error={action.error} />
      <FormActions submit="Create source" busy={action.busy} onCancel={props.onCancel} />
    </form>
  )
}
