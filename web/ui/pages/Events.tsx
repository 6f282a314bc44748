// The events list (/ui/{project}/events): newest first, live over the feed, filtered by the
// inspector's syntax kept in the URL, more by the API's cursors. Each row opens its detail.
import {useMemo} from 'react'

import {useLocation} from '../../shared/router.js'
import {useDashboard} from '../context.js'
import {BatchRetry} from '../events/BatchRetry.js'
import {FilterBox} from '../events/FilterBox.js'
import {parseFilter, planFilter} from '../events/filter.js'
import {plural, shortTime} from '../events/format.js'
import {displayStatus, type EventJson, type SourceJson} from '../events/types.js'
import {useEventList} from '../events/use-event-list.js'
import {useSources} from '../events/use-sources.js'
import '../events/events.css'

export function EventsPage() {
  const {api, apiBase, base} = useDashboard()
  const q = useLocation().query.get('q') ?? ''
  const sources = useSources(api, apiBase)
  const parsed = useMemo(() => parseFilter(q), [q])
  // Only `source:` needs the sources' names before the first call; other filters do not wait
  // for them (nor load the list again when they arrive).
  const sourcesForPlan = parsed.source ? sources : null
  const plan = useMemo(
    () => (sourcesForPlan === undefined ? undefined : planFilter(parsed, sourcesForPlan ?? [])),
    [parsed, sourcesForPlan],
  )
  const list = useEventList(api, apiBase, plan)
  const hrefFor = (text: string) => `${base}/events${text ? `?q=${encodeURIComponent(text)}` : ''}`
  const exactType = parsed.type && !parsed.type.includes('*') ? parsed.type : undefined

  return (
    <div className="stack events-page">
      <div className="row events-toolbar">
        <FilterBox value={q} hrefFor={hrefFor} />
        <span className="spacer" />
        <BatchRetry
          api={api}
          apiBase={apiBase}
          filter={{event_type: exactType}}
          scope={exactType ? `of type ${exactType}` : 'in this project'}
        />
      </div>
      {list.error ? (
        <p className="error" role="alert">
          {list.error}
        </p>
      ) : null}
      {plan?.noSource ? <p className="muted">No source’s name contains “{parsed.source}”.</p> : null}
      <table className="events-table" aria-label="Events">
        <thead>
          <tr>
            <th>Received</th>
            <th>Event type</th>
            <th>Source</th>
            <th>Status</th>
            <th>Deliveries</th>
            <th>Request</th>
          </tr>
        </thead>
        <tbody>
          {list.rows.map((e) => (
            <EventRow key={e.uid} event={e} href={`${base}/events/${encodeURIComponent(e.uid)}`} sources={sources} />
          ))}
        </tbody>
      </table>
      <div className="row muted">
        {list.loading ? <span>Loading…</span> : null}
        {!list.loading && list.rows.length === 0 ? (
          <span>{q ? 'No events match this filter.' : 'No events yet.'}</span>
        ) : null}
        {plan?.partlyInBrowser && !list.loading ? (
          <span>
            {plural(list.rows.length, 'match', 'matches')} in {plural(list.scanned, 'event')} read (type patterns and
            extra words are checked in the browser)
          </span>
        ) : null}
        {list.hasMore ? (
          <button type="button" disabled={list.loading} onClick={list.loadMore}>
            Load more
          </button>
        ) : null}
      </div>
    </div>
  )
}

function EventRow(props: {event: EventJson; href: string; sources: SourceJson[] | undefined}) {
  const e = props.event
  const status = displayStatus(e)
  const source = props.sources?.find((s) => s.uid === e.source_id)?.name ?? (e.source_id ? e.source_id.slice(-6) : '—')
  const s = e.delivery_summary
  return (
    <tr data-event-id={e.uid}>
      <td className="mono nowrap" title={e.created_at}>
        {shortTime(e.created_at)}
      </td>
      <td>
        <a href={props.href}>{e.event_type || '(no type)'}</a>
      </td>
      <td>{source}</td>
      <td>
        <span className={`badge ${status}`}>{status}</span>
      </td>
      <td className="nowrap">
        {s.deliveries ? (
          <>
            {plural(s.deliveries, 'delivery', 'deliveries')}
            {s.response_status !== null ? <span className="muted"> · HTTP {s.response_status}</span> : null}
            {s.latency_ms !== null ? <span className="muted"> · {s.latency_ms} ms</span> : null}
          </>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td className="mono truncate">
        {e.method || 'POST'} {e.url_path || '/'}
        {e.url_query_params ? `?${e.url_query_params}` : ''}
      </td>
    </tr>
  )
}
