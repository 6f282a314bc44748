import {randomBytes} from 'node:crypto'

import {runListen} from '../../src/listen/run-listen.js'
import {backlogNote, FLOW_COLUMNS, flowRow, measureFlow, SuccessTracker} from '../flow.js'
import {type Harness, progress} from '../harness.js'
import {durabilitySettings, startBenchRelay} from '../relay.js'
import type {Row, Section} from '../report.js'
import {payload, type Sink, startSink} from '../sink.js'
import {summarize} from '../stats.js'
import {met} from './backlog.js'
import type {Baseline} from './baseline.js'
import type {Sizes} from './sizes.js'

/** Issue 12 goal 3: in order, the app's round trip bounds the rate; concurrent, >= 0.15x raw. */
const APP_MS = 2
const BOUND_REACHED = 0.8
const LISTEN_CONCURRENCY = 16
const LISTEN_GOAL = 0.15
/** Ingest bodies in progress per source (at least the bench's C), so no request is turned away. */
const INGEST_PER_SOURCE = 64

const withGoal = (row: Row, goal: string, ok: boolean | null): Row => ({
  ...row,
  values: {...row.values, goal, met: met(ok)},
})

/**
 * Issue 4: the listen path. Webhooks are POSTed to a source's ingest URL; a `caravan
 * listen` (runListen, in this process) gets them over the relay's WebSocket stream and
 * forwards each to the sink. The sink sees the original request, so the body's run/seq
 * matches it to the POST that sent it.
 */
export async function runInbound(h: Harness, sizes: Sizes, raw: Baseline): Promise<Section> {
  return h.scope(async () => {
    const C = h.options.concurrency
    const sink = await startSink()
    h.defer('close sink', () => sink.close())
    const r = await startBenchRelay(h, 'inbound', {
      ingest: {maxBodiesPerSource: Math.max(INGEST_PER_SOURCE, C), maxBodies: 4 * Math.max(INGEST_PER_SOURCE, C)},
    })
    const tracker = new SuccessTracker()
    r.relay.events.on('delivery.updated', ({delivery}) => tracker.record(delivery.id, delivery.status))
    const statusLines: string[] = []
    /**
     * A `caravan listen` (runListen, in this process) on its own source, forwarding to
     * `target`; it records the app's round trip of each forward as the listener timed it.
     */
    const listenOn = async (source: string, target: Sink, concurrency: number) => {
      const roundTrips: number[] = []
      let ready!: (url: string) => void
      const readyUrl = new Promise<string>((resolve) => (ready = resolve))
      const listen = await runListen(
        {
          settings: {
            gateway: r.relay.url,
            apiKey: r.apiKey,
            project: r.projectId,
            origin: {gateway: 'bench', apiKey: 'bench', project: 'bench'},
            profile: 'bench',
          },
          target: new URL(`${target.url}/hook`),
          source,
          eventTypes: [],
          extraHeaders: {},
          skipBacklog: false,
          name: `bench-${randomBytes(4).toString('hex')}`,
          concurrency,
        },
        {
          ready: (info) => ready(info.ingestUrl),
          attempt: (a) => roundTrips.push(a.latency_ms),
          status: (line) => statusLines.push(`${source}: ${line}`),
        },
      )
      listen.done.catch((error: Error) => statusLines.push(`${source}: listen ended: ${error.message}`))
      h.defer(`stop listen ${source}`, () => listen.stop())
      return {ingest: new URL(await readyUrl), roundTrips}
    }
    const {ingest} = await listenOn('bench', sink, 1)

    const flow = (run: string, count: number, concurrency: number, to = {ingest, sink}) =>
      measureFlow({
        run,
        sink: to.sink,
        origin: to.ingest.origin,
        count,
        concurrency,
        success: tracker,
        settleTimeoutMs: 60_000,
        build: (seq) => ({
          method: 'POST',
          path: to.ingest.pathname,
          headers: {'content-type': 'application/json'},
          body: payload(run, seq),
        }),
      })
    progress(`inbound: warm-up, then ${sizes.serial} webhooks at C=1 and ${sizes.inbound} at C=${C}`)
    await flow('warmup', sizes.warmup, C)
    const serial = await flow('serial', sizes.serial, 1)
    const concurrent = await flow('concurrent', sizes.inbound, C)

    // In order, a listener can go no faster than one app round trip per event: an app
    // that takes APP_MS per request makes that bound visible. Then the same load with
    // forwards running side by side (no order) to the instant sink.
    const slowApp = await startSink({delayMs: APP_MS})
    h.defer('close slow sink', () => slowApp.close())
    const ordered = await listenOn('bench-slow-app', slowApp, 1)
    progress(
      `inbound: ${sizes.inbound} webhooks in order to an app taking ${APP_MS} ms, then with --concurrency ${LISTEN_CONCURRENCY}`,
    )
    const bounded = await flow('bounded', sizes.inbound, C, {ingest: ordered.ingest, sink: slowApp})
    const parallel = await listenOn('bench-concurrent', sink, LISTEN_CONCURRENCY)
    const spread = await flow('parallel', sizes.inbound, C, {ingest: parallel.ingest, sink})
    const roundTrip = summarize(ordered.roundTrips)
    const meanRoundTrip = ordered.roundTrips.reduce((a, b) => a + b, 0) / (ordered.roundTrips.length || 1)
    const bound = ordered.roundTrips.length ? 1000 / meanRoundTrip : null
    const reached = typeof bounded.values.sink_rps === 'number' && bound ? bounded.values.sink_rps / bound : null
    const vsRaw =
      typeof spread.values.sink_rps === 'number' && typeof raw.concurrent.values.sink_rps === 'number'
        ? spread.values.sink_rps / raw.concurrent.values.sink_rps
        : null
    const durability = durabilitySettings(r.relay)
    const byStatus = Object.fromEntries(
      (
        r.relay.db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status').all() as {
          status: string
          n: number
        }[]
      ).map((x) => [x.status, x.n]),
    )
    return {
      id: 'inbound',
      title: '3. Inbound / listen (issue 4): POST /ingest/{mask} -> relay -> ws stream -> runListen -> sink',
      columns: [...FLOW_COLUMNS, {key: 'goal', header: 'goal'}, {key: 'met', header: 'met'}],
      rows: [
        flowRow('raw sink, C=1', raw.serial, undefined, true),
        flowRow(`raw sink, C=${C}`, raw.concurrent, undefined, true),
        flowRow('relay+listen, C=1', serial, raw.serial),
        flowRow(`relay+listen, C=${C}`, concurrent, raw.concurrent),
        withGoal(
          flowRow(`listen in order, app ${APP_MS} ms, C=${C}`, bounded, raw.concurrent),
          bound === null ? 'at 1/app RTT' : `~1/app RTT = ${Math.round(bound)}/s`,
          reached === null ? null : reached >= BOUND_REACHED,
        ),
        withGoal(
          flowRow(`listen --concurrency ${LISTEN_CONCURRENCY}, C=${C}`, spread, raw.concurrent),
          `>= ${LISTEN_GOAL}x raw`,
          vsRaw === null ? null : vsRaw >= LISTEN_GOAL,
        ),
      ],
      notes: [
        "ack = the ingest 200 (request committed); e2e = webhook sent -> sink has the forwarded request; all Success = first webhook sent -> last stream delivery recorded Success from the listener's result.",
        "vs raw = the at-sink rate as a share of the raw sink's at the same C.",
        ...backlogNote(concurrent),
        `source verifier noop; listen forwards one event at a time, in order (stream window 50), except the --concurrency row; each listen row has its own source and listener; ingest limits raised to ${Math.max(INGEST_PER_SOURCE, C)} bodies in progress per source (default 16) so C=${C} is not turned away with 429; store: journal_mode=${durability.journal_mode}; ingest answers after its group commit's WAL fdatasync (off the event loop).`,
        `in order, app ${APP_MS} ms: the sink answers ${APP_MS} ms after each body; the listener timed the app's round trip at mean ${meanRoundTrip.toFixed(2)} ms (p50 ${roundTrip.p50?.toFixed(2) ?? '?'}, p99 ${roundTrip.p99?.toFixed(2) ?? '?'}, ${roundTrip.n} forwards), so in order it can forward at most ~${bound === null ? '?' : Math.round(bound)}/s; it reached ${reached === null ? '?' : `${(reached * 100).toFixed(0)}%`} of that (✅ from ${BOUND_REACHED * 100}%).`,
        `--concurrency ${LISTEN_CONCURRENCY}: up to ${LISTEN_CONCURRENCY} forwards at once to the instant sink, no ordering promise; vs raw against the raw sink at C=${C}.`,
        `store afterwards: ${JSON.stringify(byStatus)} (expected ${sizes.warmup + sizes.serial + 3 * sizes.inbound} Success); sink duplicates: ${sink.duplicates + slowApp.duplicates}.`,
        ...serial.problems,
        ...concurrent.problems,
        ...bounded.problems,
        ...spread.problems,
        ...statusLines.slice(0, 3).map((l) => `listen said: ${l}`),
      ],
      facts: {
        durability,
        deliveries_by_status: byStatus,
        serial: serial.facts,
        concurrent: concurrent.facts,
        ordered_slow_app: {...bounded.facts, app_round_trip_ms: roundTrip, bound_per_s: bound, reached},
        concurrent_listen: {...spread.facts, listen_concurrency: LISTEN_CONCURRENCY, vs_raw: vsRaw},
        listen_status_lines: statusLines,
      },
    }
  })
}
