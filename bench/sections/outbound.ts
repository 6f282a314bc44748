import {DEFAULT_PER_ENDPOINT_IN_FLIGHT} from '../../src/delivery/dispatcher.js'
import {backlogNote, FLOW_COLUMNS, type FlowResult, flowRow, measureFlow, SuccessTracker} from '../flow.js'
import {type Harness, progress} from '../harness.js'
import {addSinkEndpoint, durabilitySettings, durableCommitMs, startBenchRelay} from '../relay.js'
import type {Row, Section} from '../report.js'
import {key, payload, type Sink, startSink} from '../sink.js'
import {met} from './backlog.js'
import type {Baseline} from './baseline.js'
import type {Sizes} from './sizes.js'

/**
 * Issue 3: events created over the API (broadcast) and delivered by the dispatcher to
 * one endpoint, the sink. The ack is the API's 201 (the event is durable); the end is the
 * sink receiving the delivery; "all Success" is the last delivery recorded as Success.
 */
export async function runOutbound(h: Harness, sizes: Sizes, raw: Baseline): Promise<Section> {
  return h.scope(async () => {
    const C = h.options.concurrency
    const sink = await startSink()
    h.defer('close sink', () => sink.close())
    const commitMs = durableCommitMs(h.dir('probe-outbound'))
    const r = await startBenchRelay(h, 'outbound')
    await addSinkEndpoint(r, sink.url)
    const tracker = new SuccessTracker()
    r.relay.events.on('delivery.updated', ({delivery}) => tracker.record(delivery.id, delivery.status))

    const path = r.p('/events/broadcast')
    const headers = {authorization: `Bearer ${r.apiKey}`, 'content-type': 'application/json'}
    const flow = (run: string, count: number, concurrency: number) =>
      measureFlow({
        run,
        sink,
        origin: r.relay.url,
        count,
        concurrency,
        success: tracker,
        settleTimeoutMs: 60_000,
        build: (seq) => ({
          method: 'POST',
          path,
          headers,
          body: `{"event_type":"invoice.paid","data":${payload(run, seq)}}`,
        }),
      })
    progress(`outbound: warm-up, then ${sizes.serial} events at C=1 and ${sizes.outbound} at C=${C}`)
    await flow('warmup', sizes.warmup, C)
    const serial = await flow('serial', sizes.serial, 1)
    const concurrent = await flow('concurrent', sizes.outbound, C)

    // Goal 1's second half: the same load spread over many endpoints (one sink, one URL
    // path per endpoint), each event sent to one of them by POST /events with endpoint_id.
    progress(`outbound: ${SPREAD_ENDPOINTS} endpoints, ${sizes.spread} events at C=${C}`)
    const spreadIds: string[] = []
    for (let i = 0; i < SPREAD_ENDPOINTS; i++) {
      const ep = await r.ok<{uid: string}>('POST', r.p('/endpoints'), {
        name: `bench-spread-${i}`,
        url: `${sink.url}/spread/${i}`,
        rate_limit: 0,
      })
      await r.ok('POST', r.p('/subscriptions'), {name: `bench-spread-${i}`, endpoint_id: ep.uid})
      spreadIds.push(ep.uid)
    }
    const ackedIds: (string | undefined)[] = []
    const spread = await measureFlow({
      run: 'spread',
      sink,
      origin: r.relay.url,
      count: sizes.spread,
      concurrency: C,
      success: tracker,
      settleTimeoutMs: 60_000,
      build: (seq) => ({
        method: 'POST',
        path: r.p('/events'),
        headers,
        body: `{"endpoint_id":"${spreadIds[seq % SPREAD_ENDPOINTS]}","event_type":"invoice.paid","data":${payload('spread', seq)}}`,
      }),
      onResponse: (seq, status, body) => {
        if (status === 201) ackedIds[seq] = (JSON.parse(body) as {data: {uid: string}}).data.uid
      },
    })
    const once = exactlyOnce(sink, 'spread', sizes.spread, ackedIds)

    const byStatus = Object.fromEntries(
      (
        r.relay.db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as {
          status: string
          n: number
        }[]
      ).map((x) => [x.status, x.n]),
    )
    const durability = durabilitySettings(r.relay)
    const total = sizes.warmup + sizes.serial + sizes.outbound + sizes.spread
    const commitRate = commitMs ? Math.round(1000 / commitMs) : null
    return {
      id: 'outbound',
      title: '2. Outbound delivery (issue 3; issue 12 goal 1): POST events -> relay -> dispatcher -> sink',
      columns: [...FLOW_COLUMNS, {key: 'goal', header: 'goal'}, {key: 'met', header: 'met'}],
      rows: [
        flowRow('raw sink, C=1', raw.serial, undefined, true),
        flowRow(`raw sink, C=${C}`, raw.concurrent, undefined, true),
        flowRow('relay, C=1', serial, raw.serial),
        withGoal(flowRow(`relay, C=${C}`, concurrent, raw.concurrent), concurrent, raw.concurrent),
        withGoal(
          flowRow(`relay, ${SPREAD_ENDPOINTS} endpoints, C=${C}`, spread, raw.concurrent),
          spread,
          raw.concurrent,
        ),
      ],
      notes: [
        "ack = the API's 201 (event and its delivery committed); e2e = API call sent -> sink has the delivery; all Success = first call sent -> last delivery recorded Success (the relay's delivery.updated event, emitted after the commit; store counts below).",
        "vs raw = the at-sink rate as a share of the raw sink's at the same C.",
        ...backlogNote(concurrent),
        `durability: the relay's store runs journal_mode=${durability.journal_mode}, synchronous=${durability.synchronous} for single writes; acknowledged writes share one commit (group commit, synchronous=NORMAL inside it) and are answered after an fdatasync of the WAL in the thread pool; while that sync runs the next batch waits and grows.`,
        `raw durable commit on this disk (${commitMs?.toFixed(2) ?? '?'} ms median, WAL+FULL, one row) -> at most ~${commitRate ?? '?'} unbatched commits/s.`,
        `relay rows without "endpoints": one endpoint, one subscription; rate limit off everywhere; dispatcher caps: 128 in flight, ${DEFAULT_PER_ENDPOINT_IN_FLIGHT} per endpoint (its default; endpoints may set max_in_flight). Store afterwards: ${JSON.stringify(byStatus)} (expected ${total} Success); sink saw ${sink.eventIds.size} distinct x-convoy-event-id values, ${sink.duplicates} duplicate deliveries.`,
        `${SPREAD_ENDPOINTS} endpoints: each its own subscription and URL path on the one sink (so one undici pool, one origin), event i to endpoint i mod ${SPREAD_ENDPOINTS} by POST /events with endpoint_id; ${once.note}`,
        ...serial.problems,
        ...concurrent.problems,
        ...spread.problems,
      ],
      facts: {
        spread: {...spread.facts, exactly_once: once.facts},
        durability,
        durable_commit_ms: commitMs,
        deliveries_by_status: byStatus,
        serial: serial.facts,
        concurrent: concurrent.facts,
        relay_log_lines: r.logs.length,
      },
    }
  })
}

/** Issue 12, goal 1: delivered at >= 0.20x the raw sink rate of the same run, to one endpoint and to 100. */
const DELIVERY_GOAL = 0.2
const SPREAD_ENDPOINTS = 100

/**
 * Every acknowledged event delivered exactly once, to its own endpoint: the event id the
 * API answered for each sequence number is the x-convoy-event-id the sink saw for it, at
 * the URL path of the endpoint it was sent to, and nothing arrived twice.
 */
function exactlyOnce(sink: Sink, run: string, count: number, ackedIds: (string | undefined)[]) {
  let acked = 0
  let delivered = 0
  let missing = 0
  let wrongId = 0
  let wrongPath = 0
  let arrived = 0
  for (let seq = 0; seq < count; seq++) {
    const first = sink.firsts.get(key(run, seq))
    if (first) arrived++
    const id = ackedIds[seq]
    if (id === undefined) continue
    acked++
    if (!first) {
      missing++
      continue
    }
    delivered++
    if (first.eventId !== id) wrongId++
    if (first.path !== `/spread/${seq % SPREAD_ENDPOINTS}`) wrongPath++
  }
  // The sink counts every request of the run; the ones beyond the first per seq are repeats.
  const duplicates = sink.received(run) - arrived
  const endpointsReached = [...sink.paths.keys()].filter((p) => p.startsWith('/spread/')).length
  const ok = acked === count && delivered === acked && wrongId === 0 && wrongPath === 0 && duplicates === 0
  const facts = {
    acked,
    delivered,
    missing,
    wrong_event_id: wrongId,
    wrong_endpoint: wrongPath,
    duplicates,
    endpoints_reached: endpointsReached,
  }
  const note = ok
    ? `exactly once: all ${acked} acknowledged event ids arrived once each, with the id the API gave and at their own endpoint's path (${endpointsReached} endpoints reached).`
    : `NOT exactly once: ${JSON.stringify(facts)}.`
  return {note, facts}
}

function withGoal(row: Row, flow: FlowResult, raw: FlowResult): Row {
  const mine = flow.values.sink_rps
  const theirs = raw.values.sink_rps
  const ok =
    typeof mine === 'number' && typeof theirs === 'number' && theirs > 0 ? mine / theirs >= DELIVERY_GOAL : null
  return {...row, values: {...row.values, goal: `>= ${DELIVERY_GOAL}x raw`, met: met(ok)}}
}
