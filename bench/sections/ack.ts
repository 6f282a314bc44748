import {type FlowResult, measureFlow} from '../flow.js'
import {type Harness, progress, until, withLoopDelay} from '../harness.js'
import type {LoadRequest} from '../load.js'
import {type OpenLoadResult, runOpenLoad} from '../open-load.js'
import {addSinkEndpoint, startBenchRelay} from '../relay.js'
import type {Row, Section} from '../report.js'
import {payload, startSink} from '../sink.js'
import {rate, summarize} from '../stats.js'
import {met} from './backlog.js'
import type {Sizes} from './sizes.js'

/** Issue 12, goal 2: acknowledgement rate and latency, each against the raw sink of this run. */
const ACK_GOALS = {rateVsRaw: 0.25, closedP99Ms: 10, openP99Ms: 5, connections: 50}

/** Connections the open-loop generator may use: enough that the client is not what queues. */
const OPEN_CONNECTIONS = 64

/**
 * Issue 12, goal 2: how fast and how soon the relay acknowledges events (POST
 * events/broadcast, answered after the group commit's fsync), closed loop at 50 connections
 * and open loop at a steady offered rate, each next to the raw sink under the same load.
 * The relay delivers to a sink meanwhile, as it would in use.
 */
export async function runAck(h: Harness, sizes: Sizes): Promise<Section> {
  return h.scope(async () => {
    const C = ACK_GOALS.connections
    const rawSink = await startSink()
    h.defer('close raw sink', () => rawSink.close())
    const sink = await startSink()
    h.defer('close sink', () => sink.close())
    const r = await startBenchRelay(h, 'ack')
    await addSinkEndpoint(r, sink.url)
    const headers = {authorization: `Bearer ${r.apiKey}`, 'content-type': 'application/json'}
    const toRelay =
      (run: string) =>
      (seq: number): LoadRequest => ({
        method: 'POST',
        path: r.p('/events/broadcast'),
        headers,
        body: `{"event_type":"invoice.paid","data":${payload(run, seq)}}`,
      })
    const toRaw =
      (run: string) =>
      (seq: number): LoadRequest => ({
        method: 'POST',
        path: '/hook',
        headers: {'content-type': 'application/json'},
        body: payload(run, seq),
      })
    const closed = (origin: string, run: string, count: number, build: (seq: number) => LoadRequest) =>
      measureFlow({
        run,
        sink: origin === rawSink.url ? rawSink : sink,
        origin,
        count,
        concurrency: C,
        settleTimeoutMs: 60_000,
        build,
      })
    const open = async (origin: string, run: string, build: (seq: number) => LoadRequest) => {
      const {result, loopMaxMs} = await withLoopDelay(() =>
        runOpenLoad({origin, perSecond: sizes.openRate, count: sizes.openCount, connections: OPEN_CONNECTIONS, build}),
      )
      // Let the deliveries it caused finish before the next row, so rows do not overlap.
      const target = origin === rawSink.url ? rawSink : sink
      await until(() => target.received(run) >= result.ok, 60_000)
      return {load: result, loopMaxMs}
    }

    progress(
      `ack: warm-up, then ${sizes.ackClosed} events closed-loop at C=${C} and ${sizes.openCount} open-loop at ${sizes.openRate}/s, raw and relay`,
    )
    await closed(rawSink.url, 'warmup', sizes.warmup, toRaw('warmup'))
    await closed(r.relay.url, 'warmup', sizes.warmup, toRelay('warmup'))
    const rawClosed = await closed(rawSink.url, 'closed', sizes.ackClosed, toRaw('closed'))
    const relayClosed = await closed(r.relay.url, 'closed', sizes.ackClosed, toRelay('closed'))
    const rawOpen = await open(rawSink.url, 'open', toRaw('open'))
    const relayOpen = await open(r.relay.url, 'open', toRelay('open'))

    const closedRatio = ratio(relayClosed.values.ack_rps, rawClosed.values.ack_rps)
    const closedOk =
      closedRatio === null || typeof relayClosed.values.ack_p99_ms !== 'number'
        ? null
        : closedRatio >= ACK_GOALS.rateVsRaw && relayClosed.values.ack_p99_ms <= ACK_GOALS.closedP99Ms
    const openRelay = openRow(`relay, open loop ${sizes.openRate}/s`, relayOpen.load, relayOpen.loopMaxMs)
    const openP99 = openRelay.values.ack_p99_ms
    const problems = [rawClosed, relayClosed].flatMap((f) => f.problems)
    for (const [what, o] of [
      ['raw open loop', rawOpen.load],
      ['relay open loop', relayOpen.load],
    ] as const)
      if (o.failed) problems.push(`${what}: ${o.failed} of ${o.count} requests failed (${o.firstError})`)
    return {
      id: 'ack',
      title: `8. Acknowledgement (issue 12 goal 2): POST events/broadcast -> 201, closed loop C=${C} and open loop`,
      columns: [
        {key: 'n', header: 'N'},
        {key: 'load', header: 'load'},
        {key: 'ack_rps', header: 'acks/s'},
        {key: 'vs_raw', header: 'vs raw'},
        {key: 'ack_p50_ms', header: 'ack p50 ms'},
        {key: 'ack_p99_ms', header: 'ack p99 ms'},
        {key: 'ack_max_ms', header: 'ack max ms'},
        {key: 'loop_max_ms', header: 'loop max ms'},
        {key: 'goal', header: 'goal'},
        {key: 'met', header: 'met'},
      ],
      rows: [
        closedRow(`raw sink, C=${C}`, rawClosed, null, true),
        withGoal(
          closedRow(`relay, C=${C}`, relayClosed, closedRatio),
          `p99 <= ${ACK_GOALS.closedP99Ms} ms; >= ${ACK_GOALS.rateVsRaw}x raw`,
          closedOk,
        ),
        {...openRow(`raw sink, open loop ${sizes.openRate}/s`, rawOpen.load, rawOpen.loopMaxMs), baseline: true},
        withGoal(
          openRelay,
          `p99 <= ${ACK_GOALS.openP99Ms} ms`,
          typeof openP99 === 'number' ? openP99 <= ACK_GOALS.openP99Ms : null,
        ),
      ],
      notes: [
        `closed loop: ${C} connections, each sends its next event when the last is answered; vs raw = the relay's acks/s as a share of the raw sink's at the same C.`,
        `open loop: one event due every ${(1000 / sizes.openRate).toFixed(2)} ms whatever the answers (up to ${OPEN_CONNECTIONS} connections, then queued in the client); latency counts from the due time, so time spent queued behind slow answers is in it; acks/s = answered / (last answer - first due). The raw row shows what the generator itself adds (same process, same event loop).`,
        `longest lag of a send behind its due time: raw ${rawOpen.load.maxSendLagMs.toFixed(1)} ms, relay ${relayOpen.load.maxSendLagMs.toFixed(1)} ms (timer ticks; counted in the latency).`,
        `the relay delivers every event to one sink meanwhile (one endpoint, rate limit off); sink afterwards: ${sink.eventIds.size} distinct event ids, ${sink.duplicates} duplicates.`,
        ...problems,
      ],
      facts: {
        raw_closed: rawClosed.facts,
        relay_closed: relayClosed.facts,
        raw_open: openFacts(rawOpen.load),
        relay_open: openFacts(relayOpen.load),
      },
    }
  })
}

const withGoal = (row: Row, goal: string, ok: boolean | null): Row => ({
  ...row,
  values: {...row.values, goal, met: met(ok)},
})

function ratio(mine: unknown, theirs: unknown): number | null {
  return typeof mine === 'number' && typeof theirs === 'number' && theirs > 0 ? mine / theirs : null
}

const percent = (x: number | null) => (x === null ? null : `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`)

function closedRow(label: string, flow: FlowResult, vsRaw: number | null, baseline = false): Row {
  return {
    label,
    baseline,
    values: {
      n: flow.values.n,
      load: `C=${flow.values.c}`,
      ack_rps: flow.values.ack_rps,
      vs_raw: baseline ? '100%' : percent(vsRaw),
      ack_p50_ms: flow.values.ack_p50_ms,
      ack_p99_ms: flow.values.ack_p99_ms,
      ack_max_ms: (flow.facts.ack_max_ms as number | null) ?? null,
      loop_max_ms: flow.values.loop_max_ms,
    },
  }
}

function openRow(label: string, load: OpenLoadResult, loopMaxMs: number): Row {
  const s = summarize(load.latencies)
  // N sends span N-1 intervals: the rate actually offered, lower than asked if the generator lagged.
  const offered = rate(load.count - 1, load.lastSentAt - load.startedAt)
  return {
    label,
    values: {
      n: load.count,
      load: offered === null ? null : `${Math.round(offered).toLocaleString('en-US')}/s offered`,
      ack_rps: rate(load.ok, load.endedAt - load.startedAt),
      vs_raw: null,
      ack_p50_ms: s.p50,
      ack_p99_ms: s.p99,
      ack_max_ms: s.max,
      loop_max_ms: loopMaxMs,
    },
  }
}

function openFacts(load: OpenLoadResult) {
  return {
    ok: load.ok,
    failed: load.failed,
    statuses: load.statuses,
    latency_ms: summarize(load.latencies),
    max_send_lag_ms: load.maxSendLagMs,
    send_span_ms: load.lastSentAt - load.startedAt,
  }
}
