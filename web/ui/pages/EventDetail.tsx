// One event (/ui/{project}/events/{id}): the request as received (headers, body in four
// views), every delivery with its attempts, and the actions: replay, edit and replay, retry, force resend,
// batch retry of its failed deliveries, copy as curl.
import {useMemo} from 'react'

import {useDashboard} from '../context.js'
import {BatchRetry} from '../events/BatchRetry.js'
import {BodyView} from '../events/BodyView.js'
import {fromBase64} from '../events/bytes.js'
import {CopyCurl} from '../events/CopyCurl.js'
import {curlCommand, ingestUrl} from '../events/curl.js'
import {Deliveries} from '../events/Deliveries.js'
import {HeadersTable} from '../events/HeadersTable.js'
import {Replay, replayTargets} from '../events/Replay.js'
import {displayStatus} from '../events/types.js'
import {EditReplay} from '../events/EditReplay.js'
import {useEventDetail} from '../events/use-event-detail.js'
import {useSources} from '../events/use-sources.js'
import '../events/events.css'

export function EventDetailPage(props: {eventId: string}) {
  const {api, apiBase, base} = useDashboard()
  const sources = useSources(api, apiBase)
  const {event, deliveries, listeners, error, reload} = useEventDetail(api, apiBase, props.eventId)
  const bytes = useMemo(() => fromBase64(event?.body_base64 ?? ''), [event?.body_base64])
  const source = sources?.find((s) => s.uid === event?.source_id)
  const curl = useMemo(
    () => (event ? curlCommand(event, ingestUrl(event, source?.url), bytes) : ''),
    [event, source, bytes],
  )

  const back = (
    <a href={`${base}/events`} className="back">
      ← Events
    </a>
  )
  if (error && !event)
    return (
      <div className="stack">
        {back}
        <p className="error" role="alert">
          {error}
        </p>
      </div>
    )
  if (!event) return <p className="muted">Loading…</p>
  const status = displayStatus(event)
  const contentType =
    Object.entries(event.headers ?? {}).find(([n]) => n.toLowerCase() === 'content-type')?.[1][0] ?? ''
  const failed = deliveries?.filter((d) => d.delivery.status === 'Failure').length ?? 0

  return (
    <div className="stack event-detail">
      {back}
      <div className="row">
        <h2 className="mono request-line">
          {event.method || 'POST'} {event.url_path || '/'}
          {event.url_query_params ? `?${event.url_query_params}` : ''}
        </h2>
        <span className={`badge ${status}`}>{status}</span>
      </div>
      <dl className="facts">
        <dt>Event</dt>
        <dd className="mono">{event.uid}</dd>
        <dt>Type</dt>
        <dd>{event.event_type || '(none)'}</dd>
        <dt>Source</dt>
        <dd>{source?.name ?? (event.source_id || '(API)')}</dd>
        <dt>Received</dt>
        <dd>{new Date(event.created_at).toLocaleString()}</dd>
      </dl>
      {event.failure_reason ? <p className="error">Failed signature verification: {event.failure_reason}</p> : null}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}

      <section className="stack" aria-label="Actions">
        <Replay
          api={api}
          apiBase={apiBase}
          eventId={event.uid}
          targets={replayTargets(
            (deliveries ?? []).map((d) => d.delivery),
            listeners,
          )}
          disabled={event.failure_reason ? 'No replay: the request failed signature verification.' : undefined}
          onDone={reload}
        />
        <EditReplay
          key={event.uid}
          api={api}
          apiBase={apiBase}
          base={base}
          event={event}
          targets={replayTargets(
            (deliveries ?? []).map((d) => d.delivery),
            listeners,
          )}
          disabled={
            event.failure_reason
              ? `No edit and replay: the request failed signature verification (${event.failure_reason}); the relay never re-sends or re-signs it.`
              : undefined
          }
          onDone={reload}
        />
        <div className="row">
          <BatchRetry api={api} apiBase={apiBase} filter={{eventId: event.uid}} scope="of this event" onDone={reload} />
          {failed ? <span className="muted">{failed} failed now</span> : null}
        </div>
        <CopyCurl command={curl} truncated={Boolean(event.body_truncated)} />
      </section>

      <section aria-label="Request headers">
        <h3>Headers</h3>
        <HeadersTable headers={event.headers} label="Headers" />
      </section>
      <section aria-label="Body">
        <h3>Body</h3>
        <BodyView bytes={bytes} contentType={contentType} />
        {event.body_truncated ? (
          <p className="warn">
            Truncated: the first {bytes.length} of {event.body_size} bytes were kept (sha256 {event.body_sha256}).
          </p>
        ) : null}
      </section>
      <section aria-label="Deliveries">
        <h3>Deliveries</h3>
        {deliveries ? (
          <Deliveries api={api} apiBase={apiBase} items={deliveries} onChange={reload} />
        ) : (
          <p className="muted">Loading deliveries…</p>
        )}
      </section>
    </div>
  )
}
