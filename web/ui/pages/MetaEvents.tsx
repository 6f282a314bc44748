// Meta events: the relay's notices about deliveries and endpoints, sent to the project's
// meta-event URL (Settings). Each can be sent again.
import {useDashboard} from '../context.js'
import {useAction, usePaged} from '../manage/hooks.js'
import type {MetaEvent} from '../manage/types.js'
import {ErrorText, PageHead, StatusBadge, When} from '../manage/ui.js'

export function MetaEventsPage() {
  const {api, apiBase, base, project} = useDashboard()
  const list = usePaged<MetaEvent>(api, `${apiBase}/meta-events`)
  const action = useAction()
  const meta = (project.config as {meta_event?: {is_enabled?: boolean; url?: string}} | undefined)?.meta_event
  const resend = async (m: MetaEvent) => {
    await action.run(() => api.data('PUT', `${apiBase}/meta-events/${encodeURIComponent(m.uid)}/resend`))
    list.reload()
  }
  return (
    <>
      <PageHead title="Meta events">
        <button onClick={list.reload}>Refresh</button>
      </PageHead>
      <p className="muted">
        {meta?.is_enabled && meta.url ? <>Sent to {meta.url}. </> : <>Meta events are off for this project. </>}
        <a href={`${base}/settings`}>Change in Settings</a>
      </p>
      <ErrorText error={list.error ?? action.error} />
      <table aria-label="Meta events">
        <thead>
          <tr>
            <th>Type</th>
            <th>Status</th>
            <th className="num">Attempts</th>
            <th>Last response</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.items.map((m) => {
            const last = m.attempts.at(-1)
            return (
              <tr key={m.uid}>
                <td>{m.event_type}</td>
                <td>
                  <StatusBadge status={m.status} />
                </td>
                <td className="num">{m.metadata.num_trials}</td>
                <td>{last ? last.http_status || last.error : '—'}</td>
                <td>
                  <When iso={m.created_at} />
                </td>
                <td>
                  <button disabled={action.busy} onClick={() => void resend(m)}>
                    Resend
                  </button>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {!list.loading && list.items.length === 0 && <p className="muted">No meta events yet.</p>}
      {list.hasMore && <button onClick={list.more}>More</button>}
    </>
  )
}
