// A hand-written grouped bar chart in SVG: per time bucket, one bar per series. Every bar
// carries a <title> with its number, so the chart reads the same to a screen reader.
export interface ChartSeries {
  key: string
  label: string
}

export interface ChartBucket {
  label: string
  /** Full name of the bucket for titles (e.g. the hour's date and time). */
  title: string
  values: Record<string, number>
}

const WIDTH = 900
const HEIGHT = 220
const PAD = {top: 10, right: 10, bottom: 28, left: 40}

/** A round axis maximum: 1, 2 or 5 times a power of ten, at least the largest value. */
function niceMax(n: number): number {
  if (n <= 0) return 1
  const power = 10 ** Math.floor(Math.log10(n))
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= n) ?? 10 * power
}

export function BarChart(props: {series: ChartSeries[]; buckets: ChartBucket[]; label: string}) {
  const {series, buckets} = props
  const max = niceMax(Math.max(0, ...buckets.flatMap((b) => series.map((s) => b.values[s.key] ?? 0))))
  const plotW = WIDTH - PAD.left - PAD.right
  const plotH = HEIGHT - PAD.top - PAD.bottom
  const slot = plotW / Math.max(1, buckets.length)
  const barW = Math.max(1, (slot * 0.8) / series.length)
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH
  const labelEvery = Math.ceil(buckets.length / 12)
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={props.label}>
      <title>{props.label}</title>
      {(max % 2 === 0 ? [0, 0.5, 1] : [0, 1]).map((f) => (
        <g key={f}>
          <line className="axis" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(max * f)} y2={y(max * f)} />
          <text x={PAD.left - 4} y={y(max * f) + 3} textAnchor="end">
            {max * f}
          </text>
        </g>
      ))}
      {buckets.map((b, i) => {
        const x0 = PAD.left + i * slot + slot * 0.1
        return (
          <g key={b.title} data-bucket={b.title}>
            {series.map((s, j) => {
              const v = b.values[s.key] ?? 0
              return (
                <rect
                  key={s.key}
                  className={`s-${s.key}`}
                  data-series={s.key}
                  data-value={v}
                  x={x0 + j * barW}
                  y={y(v)}
                  width={barW}
                  height={Math.max(0, PAD.top + plotH - y(v))}
                >
                  <title>{`${b.title}: ${v} ${s.label.toLowerCase()}`}</title>
                </rect>
              )
            })}
            {i % labelEvery === 0 && (
              <text x={x0 + (barW * series.length) / 2} y={HEIGHT - PAD.bottom + 14} textAnchor="middle">
                {b.label}
              </text>
            )}
          </g>
        )
      })}
    </svg>
  )
}
