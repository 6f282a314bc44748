import {Pool} from 'undici'

import {type Harness, progress, sleep, until} from '../harness.js'
import {startBenchRelay} from '../relay.js'
import type {Row, Section, Value} from '../report.js'
import {key, payload, type Sink, startSink} from '../sink.js'
import {rate, summarize} from '../stats.js'
import type {Baseline} from './baseline.js'
import type {Sizes} from './sizes.js'

/** Issue 12's goals for this section, each against a figure of the same run. */
export const BACKLOG_GOALS = {
  drainVsRaw: 0.2,
  idleCpuPct: 5,
  healthyP99Factor: 2,
  rssMiB: 200,
}

export const met = (ok: boolean | null): string => (ok === null ? '–' : ok ? '✅' : '❌')

/**
 * Issue 12, item 4: a large backlog for one endpoint (stored as waiting retries, as after
 * an outage) next to a healthy endpoint on the same relay. Measured: the CPU the relay
 * spends while the backlog only waits, the drain rate once the endpoint is back, and the
 * healthy endpoint's delivery latency during the drain against its latency with no
 * backlog at all. RSS is sampled throughout.
 */
export async function runBacklog(h: Harness, sizes: Sizes, raw: Baseline): Promise<Section> {
  return h.scope(async () => {
    const backlog = sizes.backlog
    const drained = await startSink()
    h.defer('close drain sink', () => drained.close())
    const healthySink = await startSink()
    h.defer('close healthy sink', () => healthySink.close())
    const r = await startBenchRelay(h, 'backlog')
    const make = (name: string, sink: Sink) =>
      r.ok<{uid: string}>('POST', r.p('/endpoints'), {name, url: `${sink.url}/hook`, rate_limit: 0})
    const down = await make('backlogged', drained)
    const healthy = await make('healthy', healthySink)
    await r.ok('POST', r.p('/subscriptions'), {name: 'healthy', endpoint_id: healthy.uid})
    const downSub = await r.ok<{uid: string}>('POST', r.p('/subscriptions'), {
      name: 'backlogged',
      endpoint_id: down.uid,
    })

    const rssBefore = process.memoryUsage().rss
    let rssPeak = rssBefore
    const rssTimer = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20)
    h.defer('stop RSS sampling', () => clearInterval(rssTimer))

    // Open-loop load on the healthy endpoint: one event every 1000/rate ms, whatever the answers.
    const pool = new Pool(r.relay.url, {connections: 8})
    h.defer('close load pool', () => pool.close())
    const headers = {authorization: `Bearer ${r.apiKey}`, 'content-type': 'application/json'}
    const healthyTraffic = async (run: string, count: number, perSecond: number) => {
      const sent = new Float64Array(count).fill(Number.NaN)
      const started = performance.now()
      const requests: Promise<unknown>[] = []
      for (let i = 0; i < count; i++) {
        const due = started + (i * 1000) / perSecond
        const wait = due - performance.now()
        if (wait > 1) await sleep(wait)
        sent[i] = performance.now()
        requests.push(
          pool
            .request({
              method: 'POST',
              path: r.p('/events'),
              headers,
              body: `{"endpoint_id":"${healthy.uid}","event_type":"invoice.paid","data":${payload(run, i)}}`,
            })
            .then((res) => res.body.text()),
        )
      }
      await Promise.allSettled(requests)
      await until(() => healthySink.received(run) >= count, 30_000)
      const latencies: number[] = []
      for (let i = 0; i < count; i++) {
        const at = healthySink.arrivals.get(key(run, i))
        if (at !== undefined) latencies.push(at - sent[i])
      }
      return {...summarize(latencies), arrived: latencies.length}
    }

    progress(`backlog: healthy endpoint alone (${sizes.healthy} events at ${sizes.healthyRate}/s)`)
    const alone = await healthyTraffic('alone', sizes.healthy, sizes.healthyRate)

    progress(`backlog: storing ${backlog} waiting deliveries for the other endpoint`)
    const seedStarted = performance.now()
    const db = r.relay.db
    const insertEvent = db.prepare(
      `INSERT INTO events (id, project_id, source_id, event_type, method, url_path, url_query, headers, body, idempotency_key, is_duplicate, verification_error, target_endpoint_ids, created_at, updated_at)
       VALUES (?, ?, NULL, 'invoice.paid', 'POST', '', '', '{}', ?, NULL, 0, NULL, ?, ?, ?)`,
    )
    const insertDelivery = db.prepare(
      `INSERT INTO deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, status, mode, attempts, retry_limit, next_attempt_at, latency_ms, description, idempotency_key, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'invoice.paid', 'Retry', 'push', 1, 10, ?, 0, 'HTTP 503', NULL, ?, ?)`,
    )
    // Waiting as after an outage: all due at the same instant (ties on next_attempt_at are
    // what the old due query sorted on every look), while the endpoint hangs: its in-flight
    // slots are taken by requests that get no answer, the rest of the backlog stays due.
    const dueAt = Date.now()
    const at = new Date().toISOString()
    const targets = JSON.stringify([down.uid])
    const pad = (n: number) => n.toString(36).padStart(8, '0')
    drained.holding = true
    db.transaction(() => {
      for (let i = 0; i < backlog; i++) {
        const eventId = `01BACKLOGEV${pad(i)}`
        insertEvent.run(eventId, r.projectId, Buffer.from(payload('drain', i)), targets, at, at)
        insertDelivery.run(`01BACKLOGDL${pad(i)}`, r.projectId, eventId, down.uid, downSub.uid, dueAt, at, at)
      }
    })()
    const seedS = (performance.now() - seedStarted) / 1000

    progress(`backlog: endpoint hanging with ${backlog} due; idle CPU over ${sizes.idleSeconds} s`)
    r.relay.events.emit('deliveries.scheduled', {projectId: r.projectId})
    await until(() => drained.received('drain') > 0, 10_000)
    await sleep(200)
    const hung = drained.received('drain')
    const cpu0 = process.cpuUsage()
    const wall0 = performance.now()
    await sleep(sizes.idleSeconds * 1000)
    const cpu = process.cpuUsage(cpu0)
    const idleCpuPct = ((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100
    progress(`backlog: healthy endpoint beside the hanging one`)
    const beside = await healthyTraffic('beside', sizes.healthy, sizes.healthyRate)

    progress(`backlog: endpoint back, draining ${backlog} with healthy traffic alongside`)
    const drainStarted = performance.now()
    drained.holding = false
    drained.release()
    const during = await healthyTraffic('during', sizes.healthy, sizes.healthyRate)
    const healthyDuringDrain = drained.received('drain') < backlog
    const complete = await until(() => drained.received('drain') >= backlog, sizes.drainTimeoutMs, 20)
    let lastArrival = drainStarted
    for (const t of drained.arrivals.values()) lastArrival = Math.max(lastArrival, t)
    const drainRate = rate(drained.received('drain') - hung, lastArrival - drainStarted)
    clearInterval(rssTimer)
    const rssMiB = rssPeak / 2 ** 20

    const rawRate = raw.concurrent.values.sink_rps as number | null
    const ratio = drainRate !== null && rawRate ? drainRate / rawRate : null
    const factor = (x: {p99: number | null}) => (alone.p99 && x.p99 !== null ? x.p99 / alone.p99 : null)
    const p99Factor = factor(during)
    const besideFactor = factor(beside)
    const row = (label: string, values: Record<string, Value>, baseline = false): Row => ({label, baseline, values})
    const G = BACKLOG_GOALS
    return {
      id: 'backlog',
      title: `7. Backlog (issue 12, item 4): ${backlog.toLocaleString('en-US')} deliveries waiting for one endpoint, a healthy endpoint beside it`,
      columns: [
        {key: 'n', header: 'N'},
        {key: 'rps', header: 'per s'},
        {key: 'ratio', header: 'ratio'},
        {key: 'p50', header: 'p50 ms'},
        {key: 'p99', header: 'p99 ms'},
        {key: 'cpu', header: 'CPU %'},
        {key: 'rss', header: 'RSS peak MiB'},
        {key: 'goal', header: 'goal'},
        {key: 'met', header: 'met'},
      ],
      rows: [
        row('raw sink, C=' + raw.concurrent.values.c, {n: raw.concurrent.values.n, rps: rawRate, ratio: '1.00x'}, true),
        row('healthy endpoint, no backlog', {n: sizes.healthy, rps: sizes.healthyRate, p50: alone.p50, p99: alone.p99}),
        row('idle backlog (endpoint hanging)', {
          n: backlog,
          cpu: idleCpuPct,
          goal: `< ${G.idleCpuPct} % CPU`,
          met: met(idleCpuPct < G.idleCpuPct),
        }),
        row('healthy endpoint beside it', {
          n: sizes.healthy,
          rps: sizes.healthyRate,
          ratio: besideFactor === null ? null : `${besideFactor.toFixed(2)}x p99`,
          p50: beside.p50,
          p99: beside.p99,
          goal: `p99 <= ${G.healthyP99Factor}x alone`,
          met: met(
            besideFactor === null || beside.arrived < sizes.healthy ? false : besideFactor <= G.healthyP99Factor,
          ),
        }),
        row('drain (endpoint back)', {
          n: drained.received('drain'),
          rps: drainRate,
          ratio: ratio === null ? null : `${ratio.toFixed(2)}x`,
          rss: rssMiB,
          goal: `>= ${G.drainVsRaw}x raw; RSS <= ${G.rssMiB}`,
          met: met(complete && ratio !== null && ratio >= G.drainVsRaw && rssMiB <= G.rssMiB),
        }),
        row('healthy endpoint during drain', {
          n: sizes.healthy,
          rps: sizes.healthyRate,
          ratio: p99Factor === null ? null : `${p99Factor.toFixed(2)}x p99`,
          p50: during.p50,
          p99: during.p99,
          goal: `p99 <= ${G.healthyP99Factor}x alone`,
          met: met(p99Factor === null || !healthyDuringDrain ? null : p99Factor <= G.healthyP99Factor),
        }),
      ],
      notes: [
        `backlog stored straight into the relay's store in one transaction (${seedS.toFixed(1)} s), all due at once, while the endpoint hangs (${hung} requests held unanswered, the rest due and waiting for a slot); "idle" = process CPU (relay, sinks and load generator share it) over ${sizes.idleSeconds} s of that.`,
        'drain: the deliveries are made due at once (the endpoint is back); rate = deliveries at the sink / time to the last one. ratio = that rate / the raw sink rate of this run.',
        `healthy endpoint: ${sizes.healthy} events at ${sizes.healthyRate}/s open-loop (POST /events) -> its own sink; latency = API call sent -> sink has it. "during drain" ${healthyDuringDrain ? 'ran entirely while the backlog drained' : 'outlasted the drain, so the comparison is weak (met: –)'}.`,
        `RSS peak of the bench process (relay, sinks, load generator, and whatever earlier sections left) across the section; ${(rssBefore / 2 ** 20).toFixed(0)} MiB when it began. ${complete ? '' : `Drain incomplete after ${sizes.drainTimeoutMs / 1000}s: ${drained.received('drain')} of ${backlog}.`}`,
        `issue 12 asks for 1,000,000 waiting; this run stores ${backlog.toLocaleString('en-US')} to keep the bench short (the due queries are index probes, so the idle cost does not grow with N).`,
        ...(drained.duplicates ? [`${drained.duplicates} duplicate deliveries at the drain sink`] : []),
      ],
      facts: {
        backlog,
        seed_s: seedS,
        idle_cpu_pct: idleCpuPct,
        drain_rps: drainRate,
        drain_complete: complete,
        healthy_alone: alone,
        healthy_beside: beside,
        healthy_during: during,
        rss_peak_bytes: rssPeak,
      },
    }
  })
}
