// Subscriptions: which events go to which endpoint, with their filters, and a filter tester.
import {useState} from 'react'

import {useDashboard} from '../context.js'
import {FilterTester, type FilterSchema} from '../manage/FilterTester.js'
import {useAction, usePaged} from '../manage/hooks.js'
import {SubscriptionForm} from '../manage/SubscriptionForm.js'
import type {Subscription} from '../manage/types.js'
import {ConfirmButton, ErrorText, PageHead, pretty, StatusBadge} from '../manage/ui.js'

const filterText = (value: Record<string, unknown>) => (Object.keys(value).length ? JSON.stringify(value) : '')

export function SubscriptionsPage() {
  const {api, apiBase, base} = useDashboard()
  const list = usePaged<Subscription>(api, `${apiBase}/subscriptions`)
  const [editing, setEditing] = useState<Subscription | 'new'>()
  const [tester, setTester] = useState<{key: number; schema: FilterSchema}>({key: 0, schema: {body: '', headers: ''}})
  const action = useAction()

  const remove = async (s: Subscription) => {
    await action.run(() => api.request('DELETE', `${apiBase}/subscriptions/${encodeURIComponent(s.uid)}`))
    list.reload()
  }
  const testWith = (s: Subscription) => {
    const {body, headers} = s.filter_config.filter
    setTester({
      key: tester.key + 1,
      schema: {
        body: Object.keys(body).length ? pretty(body) : '',
        headers: Object.keys(headers).length ? pretty(headers) : '',
      },
    })
  }

  return (
    <>
      <PageHead title="Subscriptions">
        <button className="primary" onClick={() => setEditing('new')} disabled={editing !== undefined}>
          New subscription
        </button>
      </PageHead>
      {editing && (
        <SubscriptionForm
          key={editing === 'new' ? 'new' : editing.uid}
          subscription={editing === 'new' ? undefined : editing}
          onSaved={() => {
            setEditing(undefined)
            list.reload()
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <ErrorText error={list.error ?? action.error} />
      <table aria-label="Subscriptions">
        <thead>
          <tr>
            <th>Name</th>
            <th>Endpoint</th>
            <th>Source</th>
            <th>Event types</th>
            <th>Filters</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.items.map((s) => (
            <tr key={s.uid}>
              <td>{s.name}</td>
              <td>
                {s.endpoint_id ? (
                  <a href={`${base}/endpoints/${encodeURIComponent(s.endpoint_id)}`}>
                    {s.endpoint_metadata?.name ?? s.endpoint_id}
                  </a>
                ) : (
                  '—'
                )}
              </td>
              <td>{s.source_metadata?.name ?? (s.source_id || 'any')}</td>
              <td>{s.filter_config.event_types.join(', ')}</td>
              <td>
                <code>{filterText(s.filter_config.filter.body)}</code>{' '}
                <code>{filterText(s.filter_config.filter.headers)}</code>
              </td>
              <td>
                <StatusBadge status={s.status} />
              </td>
              <td className="row">
                <button onClick={() => setEditing(s)}>Edit</button>
                <button onClick={() => testWith(s)}>Test filter</button>
                <ConfirmButton label="Delete" question={`Delete ${s.name}?`} onConfirm={() => void remove(s)} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!list.loading && list.items.length === 0 && <p className="muted">No subscriptions yet.</p>}
      {list.hasMore && <button onClick={list.more}>More</button>}
      <FilterTester key={tester.key} initial={tester.schema} />
    </>
  )
}
