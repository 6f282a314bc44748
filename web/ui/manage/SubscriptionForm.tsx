// Create or edit a subscription: endpoint, source, event types and the body/header filters.
import {useState} from 'react'

import {useDashboard} from '../context.js'
import {useAction, useLoad} from './hooks.js'
import type {Endpoint, Source, Subscription} from './types.js'
import {ErrorText, Field, FormActions, parseJsonField, pretty, submitTo} from './ui.js'

const emptyFilter = (value: Record<string, unknown> | undefined) =>
  value && Object.keys(value).length > 0 ? pretty(value) : ''

export function SubscriptionForm(props: {
  subscription?: Subscription
  onSaved: (s: Subscription) => void
  onCancel: () => void
}) {
  const {api, apiBase} = useDashboard()
  const s = props.subscription
  const [name, setName] = useState(s?.name ?? '')
  const [endpointId, setEndpointId] = useState(s?.endpoint_id ?? '')
  const [sourceId, setSourceId] = useState(s?.source_id ?? '')
  const [eventTypes, setEventTypes] = useState(s?.filter_config.event_types.join(', ') ?? '*')
  const [bodyFilter, setBodyFilter] = useState(emptyFilter(s?.filter_config.filter.body))
  const [headerFilter, setHeaderFilter] = useState(emptyFilter(s?.filter_config.filter.headers))
  const action = useAction()
  const choices = useLoad(
    () =>
      Promise.all([
        api.data<{content: Endpoint[]}>('GET', `${apiBase}/endpoints`, {query: {perPage: 1000}}),
        api.data<{content: Source[]}>('GET', `${apiBase}/sources`, {query: {perPage: 1000}}),
      ]),
    [api, apiBase],
  )
  const [endpoints, sources] = choices.data ?? [undefined, undefined]

  const save = async () => {
    const saved = await action.run(() => {
      const body = {
        name,
        endpoint_id: endpointId || endpoints?.content[0]?.uid,
        source_id: sourceId || undefined,
        filter_config: {
          event_types: eventTypes
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
          filter: {
            body: parseJsonField(bodyFilter, 'Body filter') ?? {},
            headers: parseJsonField(headerFilter, 'Header filter') ?? {},
          },
        },
      }
      return s
        ? api.data<Subscription>('PUT', `${apiBase}/subscriptions/${encodeURIComponent(s.uid)}`, {body})
        : api.data<Subscription>('POST', `${apiBase}/subscriptions`, {body})
    })
    if (saved) props.onSaved(saved)
  }

  return (
    <form className="panel" aria-label={s ? 'Edit subscription' : 'New subscription'} onSubmit={submitTo(save)}>
      <div className="form-grid">
        <Field label="Name">
          <input value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Endpoint">
          <select value={endpointId} onChange={(e) => setEndpointId(e.target.value)}>
            {endpoints?.content.map((ep) => (
              <option key={ep.uid} value={ep.uid}>
                {ep.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Source" hint="events from this source only">
          <select value={sourceId} onChange={(e) => setSourceId(e.target.value)}>
            <option value="">any (API events)</option>
            {sources?.content.map((so) => (
              <option key={so.uid} value={so.uid}>
                {so.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Event types" hint="comma-separated; * for all, invoice.* for a family">
          <input value={eventTypes} onChange={(e) => setEventTypes(e.target.value)} />
        </Field>
        <Field label="Body filter (JSON)" hint='e.g. {"amount": {"$gte": 100}}' wide>
          <textarea value={bodyFilter} onChange={(e) => setBodyFilter(e.target.value)} rows={3} />
        </Field>
        <Field label="Header filter (JSON)" hint='e.g. {"x-tenant": "acme"}' wide>
          <textarea value={headerFilter} onChange={(e) => setHeaderFilter(e.target.value)} rows={2} />
        </Field>
      </div>
      <ErrorText error={action.error ?? choices.error} />
      {endpoints?.content.length === 0 && <p className="muted">Create an endpoint first.</p>}
      <FormActions
        submit={s ? 'Save subscription' : 'Create subscription'}
        busy={action.busy}
        onCancel={props.onCancel}
      />
    </form>
  )
}
