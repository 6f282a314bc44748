// Endpoints: the list (status, circuit breaker, failure rate) with a create form, or one
// endpoint's detail view when the path names it.
import {useState} from 'react'

import {navigate} from '../../shared/router.js'
import {useDashboard} from '../context.js'
import {EndpointDetail} from '../manage/EndpointDetail.js'
import {EndpointForm} from '../manage/EndpointForm.js'
import {useLoad, usePaged} from '../manage/hooks.js'
import {convoyDate, type Endpoint, type FailureRate} from '../manage/types.js'
import {ErrorText, PageHead, StatusBadge} from '../manage/ui.js'

export function EndpointsPage(props: {endpointId?: string}) {
  if (props.endpointId) return <EndpointDetail key={props.endpointId} endpointId={props.endpointId} />
  return <EndpointList />
}

function EndpointList() {
  const {api, apiBase, base} = useDashboard()
  const [creating, setCreating] = useState(false)
  const [q, setQ] = useState('')
  const list = usePaged<Endpoint>(api, `${apiBase}/endpoints`, {q})
  const rates = useLoad(
    () =>
      api.data<FailureRate[]>('GET', `${apiBase}/endpoints/period-failure-rates`, {
        query: {startDate: convoyDate(Date.now() - 86_400_000)},
      }),
    [api, apiBase, list.items],
  )
  const rateOf = new Map((rates.data ?? []).map((r) => [r.uid, r]))

  return (
    <>
      <PageHead title="Endpoints">
        <input
          aria-label="Search endpoints"
          placeholder="Search by name"
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        <button className="primary" onClick={() => setCreating(true)} disabled={creating}>
          New endpoint
        </button>
      </PageHead>
      {creating && (
        <EndpointForm
          onSaved={(e) => navigate(`${base}/endpoints/${encodeURIComponent(e.uid)}`)}
          onCancel={() => setCreating(false)}
        />
      )}
      <ErrorText error={list.error ?? rates.error} />
      <table aria-label="Endpoints">
        <thead>
          <tr>
            <th>Name</th>
            <th>URL</th>
            <th>Status</th>
            <th>Circuit</th>
            <th className="num">Failure rate (24 h)</th>
          </tr>
        </thead>
        <tbody>
          {list.items.map((e) => {
            const rate = rateOf.get(e.uid)
            return (
              <tr key={e.uid}>
                <td>
                  <a href={`${base}/endpoints/${encodeURIComponent(e.uid)}`}>{e.name}</a>
                </td>
                <td className="url">{e.url}</td>
                <td>
                  <StatusBadge status={e.status} />
                </td>
                <td>
                  <StatusBadge status={e.cb_state} />
                </td>
                <td className="num" title={rate ? `${rate.success_count} ok, ${rate.failure_count} failed` : undefined}>
                  {rate ? `${rate.period_failure_rate}%` : '—'}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {!list.loading && list.items.length === 0 && <p className="muted">No endpoints yet.</p>}
      {list.hasMore && <button onClick={list.more}>More</button>}
    </>
  )
}
