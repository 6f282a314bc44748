import {randomBytes} from 'node:crypto'

import {runListen} from '../../src/listen/run-listen.js'
import {backlogNote, FLOW_COLUMNS, flowRow, measureFlow, SuccessTracker} from '../flow.js'
import {type Harness, progress} from '../harness.js'
import {durabilitySettings, startBenchRelay} from '../relay.js'
import type {Section} from '../report.js'
import {payload, startSink} from '../sink.js'
import type {Baseline} from './baseline.js'
import type {Sizes} from './sizes.js'

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
    const r = await startBenchRelay(h, 'inbound')
    const tracker = new SuccessTracker()
    r.relay.events.on('delivery.updated', ({delivery}) => tracker.record(delivery.id, delivery.status))
    const statusLines: string[] = []
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
        target: new URL(`${sink.url}/hook`),
        source: 'bench',
        eventTypes: [],
        extraHeaders: {},
        skipBacklog: false,
        name: `bench-${randomBytes(4).toString('hex')}`,
      },
      {ready: (info) => ready(info.ingestUrl), attempt: () => undefined, status: (line) => statusLines.push(line)},
    )
    listen.done.catch((error: Error) => statusLines.push(`listen ended: ${error.message}`))
    h.defer('stop listen', () => listen.stop())
    const ingest = new URL(await readyUrl)

    const flow = (run: string, count: number, concurrency: number) =>
      measureFlow({
        run,
        sink,
        origin: ingest.origin,
        count,
        concurrency,
        success: tracker,
        settleTimeoutMs: 60_000,
        build: (seq) => ({
          method: 'POST',
          path: ingest.pathname,
          headers: {'content-type': 'application/json'},
          body: payload(run, seq),
        }),
      })
    progress(`inbound: warm-up, then ${sizes.serial} webhooks at C=1 and ${sizes.inbound} at C=${C}`)
    await flow('warmup', sizes.warmup, C)
    const serial = await flow('serial', sizes.serial, 1)
    const concurrent = await flow('concurrent', sizes.inbound, C)
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
      columns: FLOW_COLUMNS,
      rows: [
        flowRow('raw sink, C=1', raw.serial, undefined, true),
        flowRow(`raw sink, C=${C}`, raw.concurrent, undefined, true),
        flowRow('relay+listen, C=1', serial, raw.serial),
        flowRow(`relay+listen, C=${C}`, concurrent, raw.concurrent),
      ],
      notes: [
        "ack = the ingest 200 (request committed); e2e = webhook sent -> sink has the forwarded request; all Success = first webhook sent -> last stream delivery recorded Success from the listener's result.",
        "vs raw = the at-sink rate as a share of the raw sink's at the same C.",
        ...backlogNote(concurrent),
        `source verifier noop; listen forwards one event at a time, in order (stream window 50); store: journal_mode=${durability.journal_mode}; ingest answers after its group commit's WAL fdatasync (off the event loop).`,
        `store afterwards: ${JSON.stringify(byStatus)} (expected ${sizes.warmup + sizes.serial + sizes.inbound} Success); sink duplicates: ${sink.duplicates}.`,
        ...serial.problems,
        ...concurrent.problems,
        ...statusLines.slice(0, 3).map((l) => `listen said: ${l}`),
      ],
      facts: {
        durability,
        deliveries_by_status: byStatus,
        serial: serial.facts,
        concurrent: concurrent.facts,
        listen_status_lines: statusLines,
      },
    }
  })
}
