import {until, withLoopDelay} from './harness.js'
import {type LoadRequest, runLoad} from './load.js'
import type {Column, Row, Value} from './report.js'
import {key, type Sink} from './sink.js'
import {rate, summarize} from './stats.js'

/**
 * One "flow" measurement: N requests at concurrency C through something (the raw sink,
 * the relay's API, an ingest URL) that ends at the sink. We time the acknowledgement of
 * each request and its arrival at the sink (end to end), and optionally when the store
 * marked it Success.
 */
export interface FlowSpec {
  run: string
  sink: Sink
  origin: string
  count: number
  concurrency: number
  build: (seq: number) => LoadRequest
  onResponse?: (seq: number, status: number, body: string) => void
  /** Success notifications from the relay, when there is a relay in the path. */
  success?: SuccessTracker
  /** How long to wait for the sink (and Success) after the last acknowledgement. */
  settleTimeoutMs: number
}

export interface FlowResult {
  values: Record<string, Value>
  /** Things worth a note: failures, duplicates, time-outs. */
  problems: string[]
  facts: Record<string, unknown>
}

/** Counts deliveries reaching Success, fed from the relay's typed event seam. */
export class SuccessTracker {
  private readonly done = new Set<string>()
  lastAt = 0

  record(deliveryId: string, status: string): void {
    if (status !== 'Success' || this.done.has(deliveryId)) return
    this.done.add(deliveryId)
    this.lastAt = performance.now()
  }

  get count(): number {
    return this.done.size
  }
}

export const FLOW_COLUMNS: Column[] = [
  {key: 'n', header: 'N'},
  {key: 'c', header: 'C'},
  {key: 'ack_rps', header: 'acks/s'},
  {key: 'ack_p50_ms', header: 'ack p50 ms'},
  {key: 'ack_p99_ms', header: 'ack p99 ms'},
  {key: 'sink_rps', header: 'at sink/s'},
  {key: 'vs_raw', header: 'vs raw'},
  {key: 'e2e_p50_ms', header: 'e2e p50 ms'},
  {key: 'e2e_p99_ms', header: 'e2e p99 ms'},
  {key: 'all_success_s', header: 'all Success s'},
  {key: 'loop_max_ms', header: 'loop max ms'},
]

export async function measureFlow(spec: FlowSpec): Promise<FlowResult> {
  const successBase = spec.success?.count ?? 0
  const {result, loopP99Ms, loopMaxMs} = await withLoopDelay(async () => {
    const load = await runLoad({
      origin: spec.origin,
      concurrency: spec.concurrency,
      count: spec.count,
      build: spec.build,
      onResponse: spec.onResponse,
    })
    const atSink = await until(() => spec.sink.received(spec.run) >= load.ok, spec.settleTimeoutMs)
    const success = spec.success
    const allSuccess = success ? await until(() => success.count - successBase >= load.ok, spec.settleTimeoutMs) : true
    return {load, atSink, allSuccess}
  })
  const {load} = result
  const ack = summarize(load.latencies)
  const e2e: number[] = []
  let lastArrival = load.startedAt
  for (let i = 0; i < spec.count; i++) {
    const at = spec.sink.arrivals.get(key(spec.run, i))
    if (at === undefined) continue
    e2e.push(at - load.starts[i])
    if (at > lastArrival) lastArrival = at
  }
  const e2eSummary = summarize(e2e)
  const problems: string[] = []
  if (load.failed) problems.push(`${load.failed} of ${load.count} requests failed (${load.firstError})`)
  if (!result.atSink)
    problems.push(
      `only ${e2e.length} of ${load.ok} acknowledged requests reached the sink within ${spec.settleTimeoutMs / 1000}s`,
    )
  if (!result.allSuccess)
    problems.push(
      `only ${(spec.success?.count ?? 0) - successBase} of ${load.ok} deliveries reached Success within ${spec.settleTimeoutMs / 1000}s`,
    )
  const successCount = spec.success ? spec.success.count - successBase : null
  return {
    values: {
      n: spec.count,
      c: spec.concurrency,
      ack_rps: rate(load.ok, load.endedAt - load.startedAt),
      ack_p50_ms: ack.p50,
      ack_p99_ms: ack.p99,
      sink_rps: rate(e2e.length, lastArrival - load.startedAt),
      e2e_p50_ms: e2eSummary.p50,
      e2e_p99_ms: e2eSummary.p99,
      all_success_s: spec.success && result.allSuccess ? (spec.success.lastAt - load.startedAt) / 1000 : null,
      loop_max_ms: loopMaxMs,
    },
    problems,
    facts: {
      statuses: load.statuses,
      acknowledged: load.ok,
      at_sink: e2e.length,
      reached_success: successCount,
      ack_max_ms: ack.max,
      e2e_max_ms: e2eSummary.max,
      loop_p99_ms: loopP99Ms,
      wall_s: (performance.now() - load.startedAt) / 1000,
    },
  }
}

/** A table row for a flow, with its sink rate as a share of the raw baseline's at the same C. */
export function flowRow(label: string, flow: FlowResult, raw?: FlowResult, baseline = false): Row {
  const mine = flow.values.sink_rps
  const theirs = raw?.values.sink_rps
  const vs =
    typeof mine === 'number' && typeof theirs === 'number' && theirs > 0
      ? `${((mine / theirs) * 100).toFixed(mine / theirs < 0.1 ? 1 : 0)}%`
      : baseline
        ? '100%'
        : null
  return {label, baseline, values: {...flow.values, vs_raw: vs}}
}

/** When acknowledgements outrun arrivals, e2e is mostly time queued in the store: say so. */
export function backlogNote(flow: FlowResult): string[] {
  const {ack_rps: acks, sink_rps: sink, c} = flow.values
  if (typeof acks !== 'number' || typeof sink !== 'number' || acks < sink * 1.2) return []
  return [
    `at C=${c} events were acknowledged ${(acks / sink).toFixed(1)}x faster than they reached the sink, so a backlog built up in the store: e2e there is mostly queueing, the at-sink rate is the capacity.`,
  ]
}
