// Create or edit an endpoint: every field the endpoints route takes, the server's
// validation message shown as it is.
import {useState} from 'react'

import {useDashboard} from '../context.js'
import {useAction} from './hooks.js'
import type {Endpoint} from './types.js'
import {ErrorText, Field, FormActions, num, submitTo} from './ui.js'

type AuthType = '' | 'api_key' | 'basic_auth'

interface FormState {
  name: string
  url: string
  description: string
  owner_id: string
  support_email: string
  http_timeout: string
  rate_limit: string
  rate_limit_duration: string
  max_in_flight: string
  advanced_signatures: boolean
  secret: string
  auth: AuthType
  header_name: string
  header_value: string
  username: string
  password: string
  subscribe: boolean
}

function initial(e?: Endpoint): FormState {
  const auth = e?.authentication
  return {
    name: e?.name ?? '',
    url: e?.url ?? '',
    description: e?.description ?? '',
    owner_id: e?.owner_id ?? '',
    support_email: e?.support_email ?? '',
    http_timeout: e ? String(e.http_timeout) : '',
    rate_limit: e ? String(e.rate_limit) : '',
    rate_limit_duration: e ? String(e.rate_limit_duration) : '',
    max_in_flight: e?.max_in_flight ? String(e.max_in_flight) : '',
    advanced_signatures: e?.advanced_signatures ?? false,
    secret: '',
    auth: auth?.type === 'api_key' || auth?.type === 'basic_auth' ? auth.type : '',
    header_name: auth?.api_key?.header_name ?? '',
    header_value: auth?.api_key?.header_value ?? '',
    username: auth?.basic_auth?.username ?? '',
    password: auth?.basic_auth?.password ?? '',
    subscribe: true,
  }
}

function bodyOf(f: FormState, editing: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: f.name,
    url: f.url,
    description: f.description,
    owner_id: f.owner_id,
    support_email: f.support_email,
    http_timeout: num(f.http_timeout),
    rate_limit: num(f.rate_limit),
    rate_limit_duration: num(f.rate_limit_duration),
    // Cleared on edit: back to the relay's default.
    max_in_flight: num(f.max_in_flight) ?? (editing ? null : undefined),
    advanced_signatures: f.advanced_signatures,
  }
  if (f.secret) body.secret = f.secret
  if (f.auth === 'api_key')
    body.authentication = {type: 'api_key', api_key: {header_name: f.header_name, header_value: f.header_value}}
  if (f.auth === 'basic_auth')
    body.authentication = {type: 'basic_auth', basic_auth: {username: f.username, password: f.password}}
  return body
}

export function EndpointForm(props: {endpoint?: Endpoint; onSaved: (e: Endpoint) => void; onCancel: () => void}) {
  const {api, apiBase} = useDashboard()
  const [f, setF] = useState(() => initial(props.endpoint))
  const action = useAction()
  const editing = Boolean(props.endpoint)
  const set = (name: keyof FormState) => (e: {target: HTMLInputElement | HTMLSelectElement}) =>
    setF({...f, [name]: e.target.type === 'checkbox' ? (e.target as HTMLInputElement).checked : e.target.value})

  const save = async () => {
    const saved = await action.run(async () => {
      if (props.endpoint)
        return api.data<Endpoint>('PUT', `${apiBase}/endpoints/${encodeURIComponent(props.endpoint.uid)}`, {
          body: bodyOf(f, true),
        })
      const created = await api.data<Endpoint>('POST', `${apiBase}/endpoints`, {body: bodyOf(f, false)})
      // Events reach an endpoint through its subscriptions, also those sent to it by id.
      if (f.subscribe)
        await api.data('POST', `${apiBase}/subscriptions`, {
          body: {name: `${created.name} (all events)`, endpoint_id: created.uid},
        })
      return created
    })
    if (saved) props.onSaved(saved)
  }

  return (
    <form className="panel" aria-label={editing ? 'Edit endpoint' : 'New endpoint'} onSubmit={submitTo(save)}>
      <div className="form-grid">
        <Field label="Name">
          <input value={f.name} onChange={set('name')} />
        </Field>
        <Field label="URL" wide>
          <input value={f.url} onChange={set('url')} placeholder="https://example.com/webhooks" />
        </Field>
        <Field label="Description" wide>
          <input value={f.description} onChange={set('description')} />
        </Field>
        <Field label="Owner ID">
          <input value={f.owner_id} onChange={set('owner_id')} />
        </Field>
        <Field label="Support email">
          <input value={f.support_email} onChange={set('support_email')} />
        </Field>
        <Field label="HTTP timeout (s)" hint="1–300, default 30">
          <input value={f.http_timeout} onChange={set('http_timeout')} inputMode="numeric" />
        </Field>
        <Field label="Rate limit" hint="deliveries per duration, default 5000">
          <input value={f.rate_limit} onChange={set('rate_limit')} inputMode="numeric" />
        </Field>
        <Field label="Rate limit duration (s)" hint="default 60">
          <input value={f.rate_limit_duration} onChange={set('rate_limit_duration')} inputMode="numeric" />
        </Field>
        <Field label="Max in flight" hint="concurrent deliveries; empty: the relay's default">
          <input value={f.max_in_flight} onChange={set('max_in_flight')} inputMode="numeric" />
        </Field>
        {!editing && (
          <Field label="Secret" hint="empty: one is generated">
            <input value={f.secret} onChange={set('secret')} autoComplete="off" />
          </Field>
        )}
        <Field label="Authentication">
          <select value={f.auth} onChange={set('auth')}>
            <option value="">{editing && props.endpoint?.authentication ? 'keep as it is' : 'none'}</option>
            <option value="api_key">API key header</option>
            <option value="basic_auth">Basic auth</option>
          </select>
        </Field>
        {f.auth === 'api_key' && (
          <>
            <Field label="Auth header name">
              <input value={f.header_name} onChange={set('header_name')} />
            </Field>
            <Field label="Auth header value">
              <input value={f.header_value} onChange={set('header_value')} autoComplete="off" />
            </Field>
          </>
        )}
        {f.auth === 'basic_auth' && (
          <>
            <Field label="Username">
              <input value={f.username} onChange={set('username')} />
            </Field>
            <Field label="Password">
              <input value={f.password} onChange={set('password')} type="password" autoComplete="off" />
            </Field>
          </>
        )}
        {!editing && (
          <label className="check">
            <input type="checkbox" checked={f.subscribe} onChange={set('subscribe')} />
            Subscribe it to all events
          </label>
        )}
        <label className="check">
          <input type="checkbox" checked={f.advanced_signatures} onChange={set('advanced_signatures')} />
          Advanced signatures (t=…,v1=…, one per live secret)
        </label>
      </div>
      <p className="muted">Retries follow the project's retry settings (Settings).</p>
      <ErrorText error={action.error} />
      <FormActions
        submit={editing ? 'Save endpoint' : 'Create endpoint'}
        busy={action.busy}
        onCancel={props.onCancel}
      />
    </form>
  )
}
