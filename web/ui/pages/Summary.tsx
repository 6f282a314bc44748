// Summary: events in and deliveries by outcome over the last 24 hours (by hour) or 7 days
// (by day), and per endpoint. The numbers come from the relay's /summary route, counted
// in the store in one pass.
import {navigate, useLocation} from '../../shared/router.js'
import {useDashboard} from '../context.js'
import {BarChart, type ChartSeries} from '../manage/Chart.js'
import {useLoad} from '../manage/hooks.js'
import type {Endpoint} from '../manage/types.js'
import {ErrorText, PageHead} from '../manage/ui.js'

interface Counts {
  delivered: number
  failed: number
  pending: number
}

interface Summary {
  period: '24h' | '7d'
  start: string
  end: string
  buckets: ({start: string; events: number} & Counts)[]
  endpoints: ({uid: string; failure_rate: number} & Counts)[]
}

const PERIODS = [
  {value: '24h', label: 'Last 24 hours'},
  {value: '7d', label: 'Last 7 days'},
]

const SERIES: ChartSeries[] = [
  {key: 'events', label: 'Events in'},
  {key: 'delivered', label: 'Delivered'},
  {key: 'failed', label: 'Failed'},
  {key: 'pending', label: 'Pending'},
]

const pad = (n: number) => String(n).padStart(2, '0')

/** Bucket labels in the viewer's time zone: an hour as 14:00, a day as 05-14. */
function bucketLabel(iso: string, period: string): {label: string; title: string} {
  const d = new Date(iso)
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  if (period === '24h') return {label: `${pad(d.getHours())}:00`, title: `${day} ${pad(d.getHours())}:00`}
  return {label: day.slice(5), title: day}
}

export function SummaryPage() {
  const {api, apiBase, base} = useDashboard()
  const {query} = useLocation()
  const period = query.get('period') === '7d' ? '7d' : '24h'
  const summary = useLoad(
    () =>
      Promise.all([
        api.data<Summary>('GET', `${apiBase}/summary`, {query: {period}}),
        api.data<{content: Endpoint[]}>('GET', `${apiBase}/endpoints`, {query: {perPage: 1000}}),
      ]),
    [api, apiBase, period],
  )
  const [loaded, endpoints] = summary.data ?? []
  // Until the other period's numbers arrive, show none rather than the previous period's.
  const data = loaded?.period === period ? loaded : undefined
  const names = new Map((endpoints?.content ?? []).map((e) => [e.uid, e.name]))
  const totals = data?.buckets.reduce(
    (t, b) => ({
      events: t.events + b.events,
      delivered: t.delivered + b.delivered,
      failed: t.failed + b.failed,
      pending: t.pending + b.pending,
    }),
    {events: 0, delivered: 0, failed: 0, pending: 0},
  )

  return (
    <>
      <PageHead title="Summary">
        <span className="tabs" role="group" aria-label="Period">
          {PERIODS.map((p) => (
            <button
              key={p.value}
              aria-pressed={p.value === period}
              onClick={() => navigate(`${base}/summary?period=${p.value}`)}
            >
              {p.label}
            </button>
          ))}
        </span>
        <button onClick={summary.reload}>Refresh</button>
      </PageHead>
      <ErrorText error={summary.error} />
      {data && totals && (
        <>
          <section className="panel">
            <div className="legend" aria-label="Totals">
              {SERIES.map((s) => (
                <span key={s.key} data-total={s.key}>
                  <i className={`s-${s.key}`} />
                  {s.label}: <strong>{totals[s.key as keyof typeof totals]}</strong>
                </span>
              ))}
            </div>
            <BarChart
              label={`Events and deliveries, ${PERIODS.find((p) => p.value === period)?.label.toLowerCase()}, by ${period === '24h' ? 'hour' : 'day'}`}
              series={SERIES}
              buckets={data.buckets.map((b) => ({
                ...bucketLabel(b.start, period),
                values: {events: b.events, delivered: b.delivered, failed: b.failed, pending: b.pending},
              }))}
            />
          </section>
          <h2>By endpoint</h2>
          <table aria-label="Deliveries by endpoint">
            <thead>
              <tr>
                <th>Endpoint</th>
                <th className="num">Delivered</th>
                <th className="num">Failed</th>
                <th className="num">Pending</th>
                <th className="num">Failure rate</th>
              </tr>
            </thead>
            <tbody>
              {data.endpoints.map((e) => (
                <tr key={e.uid}>
                  <td>
                    <a href={`${base}/endpoints/${encodeURIComponent(e.uid)}`}>{names.get(e.uid) ?? e.uid}</a>
                  </td>
                  <td className="num">{e.delivered}</td>
                  <td className="num">{e.failed}</td>
                  <td className="num">{e.pending}</td>
                  <td className="num">{e.failure_rate}%</td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.endpoints.length === 0 && <p className="muted">No endpoints yet.</p>}
        </>
      )}
    </>
  )
}
