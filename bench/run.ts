/**
 * `npm run bench`: Caravan's performance report. Measures, never asserts: it prints
 * figures next to a raw baseline taken in the same run, for the reader to judge.
 *
 *   npm run bench                 full run (~3 min): 1M-event store, larger request counts
 *   npm run bench -- --quick      ~40 s: same sections, smaller counts (50k-event store); CI
 *                                 runs it only to see that it runs, never to judge a figure
 *   npm run bench -- --json       the report as JSON on stdout instead of tables
 *   npm run bench -- --concurrency 16 --only baseline,outbound
 *   npm run bench -- --only backlog --backlog 200000   the backlog section at another size
 *
 * Sections: 1 raw baseline (client -> plain http sink), 2 outbound delivery (API ->
 * dispatcher -> sink; one endpoint, and spread over 100 with an exactly-once check of
 * every acknowledged event id), 3 inbound listen (ingest -> stream -> runListen -> sink;
 * in order, in order to an app with a fixed 2 ms cost against its 1/round-trip bound, and
 * --concurrency 16), 4 store queries on a large store, 5 CLI start-up, 6 `caravan inspect`
 * start-up in a terminal, 7 a large backlog for one endpoint (idle CPU, drain rate, a
 * healthy endpoint beside it), 8 acknowledgement rate and latency (closed loop at C=50,
 * open loop at a steady offered rate, latency from each event's due time), 9 store size
 * (bytes per event stored through the relay, per table and index, from dbstat), 10 the
 * web dashboard (first rows on screen with the store section's large store, in Chromium;
 * bundle sizes).
 * Rows held against a goal of issue 12 show it with ✅/❌; each section's wall time goes
 * to stderr and its facts.
 * Everything runs in this process on loopback (relay, sink, load generator), except the
 * CLI runs, which are child processes.
 *
 * Output: the tables go to stdout, progress to stderr. The same report is always written
 * as JSON to `.bench/report.json` (gitignored), whether or not --json is given.
 * Everything started is stopped and the temp tree (under the OS temp dir) removed, also
 * on Ctrl-C.
 */
import {mkdirSync, writeFileSync} from 'node:fs'
import {cpus, freemem, loadavg, release, totalmem} from 'node:os'
import {join} from 'node:path'
import {parseArgs} from 'node:util'

import {caravanVersion} from '../src/version.js'
import {fsType, Harness, progress, ROOT} from './harness.js'
import {renderReport, type Report, type Section} from './report.js'
import {runAck} from './sections/ack.js'
import {runBacklog} from './sections/backlog.js'
import {runBaseline} from './sections/baseline.js'
import {runCli} from './sections/cli.js'
import {runInbound} from './sections/inbound.js'
import {runInspect} from './sections/inspect.js'
import {runOutbound} from './sections/outbound.js'
import {sizesFor} from './sections/sizes.js'
import {runStore} from './sections/store.js'
import {runStoreSize} from './sections/store-size.js'
import {runWeb, type SeededRelay} from './sections/web.js'

const SECTIONS = [
  'baseline',
  'outbound',
  'inbound',
  'store',
  'cli',
  'inspect',
  'backlog',
  'ack',
  'size',
  'web',
] as const
type SectionId = (typeof SECTIONS)[number]

const USAGE = `usage: npm run bench -- [--quick] [--json] [--concurrency N] [--backlog N] [--only ${SECTIONS.join(',')}]`

function parseOptions() {
  const {values} = parseArgs({
    options: {
      quick: {type: 'boolean', default: false},
      json: {type: 'boolean', default: false},
      concurrency: {type: 'string', default: '32'},
      only: {type: 'string'},
      backlog: {type: 'string'},
      help: {type: 'boolean', short: 'h', default: false},
    },
  })
  if (values.help) {
    process.stdout.write(`${USAGE}\n`)
    process.exit(0)
  }
  const concurrency = Number(values.concurrency)
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 1024)
    throw new Error(`--concurrency must be an integer 1..1024\n${USAGE}`)
  const backlog = values.backlog === undefined ? undefined : Number(values.backlog)
  if (backlog !== undefined && (!Number.isInteger(backlog) || backlog < 1 || backlog > 10_000_000))
    throw new Error(`--backlog must be an integer 1..10000000\n${USAGE}`)
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SECTIONS]
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s))
  if (unknown.length) throw new Error(`--only: unknown section(s) ${unknown.join(', ')}\n${USAGE}`)
  return {quick: values.quick, json: values.json, concurrency, backlog, only: new Set(only as SectionId[])}
}

async function main(): Promise<void> {
  const options = parseOptions()
  const harness = new Harness({quick: options.quick, concurrency: options.concurrency})
  let interrupted = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130)
    interrupted = true
    progress(`${signal}: stopping and cleaning up (again to force)`)
    void harness.unwind().finally(() => process.exit(130))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  // Nothing in this process may touch the user's real profile or store.
  process.env.CARAVAN_CONFIG_DIR = harness.dir('config')
  process.env.CARAVAN_DATA_DIR = harness.dir('data')

  const started = Date.now()
  /**
   * Peak resident memory while a section runs (client, relay and sink share this process,
   * so it bounds the relay's own), sampled every 20 ms.
   */
  const withPeakRss = async (run: () => Promise<Section>): Promise<Section> => {
    const before = process.memoryUsage().rss
    let peak = before
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    try {
      const section = await run()
      peak = Math.max(peak, process.memoryUsage().rss)
      const mib = (n: number) => (n / 1024 / 1024).toFixed(0)
      section.notes.push(
        `peak RSS of the bench process during this section: ${mib(peak)} MiB (${mib(before)} MiB before it).`,
      )
      section.facts = {...section.facts, peak_rss_bytes: peak, rss_before_bytes: before}
      return section
    } finally {
      clearInterval(timer)
    }
  }
  const tempFs = fsType(harness.root)
  // Other work on the machine skews every figure; the load average says how much there was.
  const loadAtStart = loadavg()[0]
  const sizes = {...sizesFor(options.quick), ...(options.backlog ? {backlog: options.backlog} : {})}
  const sections: Section[] = []
  try {
    // Each section's wall time goes to its facts and to stderr (what makes the run long).
    const timed = async (run: () => Promise<Section>): Promise<void> => {
      const t0 = performance.now()
      const section = await run()
      const seconds = (performance.now() - t0) / 1000
      section.facts = {...section.facts, wall_s: seconds}
      progress(`${section.id}: ${seconds.toFixed(1)} s`)
      sections.push(section)
    }
    // Sections 2 and 3 compare with the baseline, so it always runs.
    const baselineStarted = performance.now()
    const {section, baseline} = await runBaseline(harness, sizes)
    progress(`baseline: ${((performance.now() - baselineStarted) / 1000).toFixed(1)} s`)
    if (options.only.has('baseline')) sections.push(section)
    if (options.only.has('outbound')) await timed(() => withPeakRss(() => runOutbound(harness, sizes, baseline)))
    if (options.only.has('inbound')) await timed(() => withPeakRss(() => runInbound(harness, sizes, baseline)))
    if (options.only.has('backlog')) await timed(() => runBacklog(harness, sizes, baseline))
    if (options.only.has('ack')) await timed(() => withPeakRss(() => runAck(harness, sizes)))
    if (options.only.has('size')) await timed(() => runStoreSize(harness, sizes))
    if (options.only.has('cli')) await timed(() => runCli(harness, sizes))
    // Last: the inspect and store sections seed 1M-event stores in this process, whose heap
    // stays behind them and slowed every in-process section after them (the backlog drain by
    // a third). The web section opens the dashboard on the store section's store.
    if (options.only.has('inspect')) await timed(() => runInspect(harness, sizes))
    if (options.only.has('store') || options.only.has('web')) {
      let web: Section | undefined
      const onSeeded = options.only.has('web')
        ? async (relay: SeededRelay) => void (web = await runWeb(harness, relay))
        : undefined
      await timed(() => runStore(harness, sizes, onSeeded))
      if (!options.only.has('store')) sections.pop()
      if (web) sections.push(web)
    }
  } finally {
    await harness.unwind()
  }

  const cpu = cpus()
  const report: Report = {
    meta: {
      date: new Date(started).toISOString(),
      mode: options.quick ? 'quick' : 'full',
      caravan: caravanVersion(),
      node: process.version,
      os: `${process.platform} ${release()} ${process.arch}`,
      cpus: `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown'}`,
      memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} free at end)`,
      'temp dir fs': `${tempFs} (${harness.root.replace(/[^/]+$/, '')})`,
      'load avg (1 min)': `${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end (${cpu.length} cpus)`,
      concurrency: options.concurrency,
      duration: `${((Date.now() - started) / 1000).toFixed(1)} s`,
    },
    sections,
  }
  const dir = join(ROOT, '.bench')
  mkdirSync(dir, {recursive: true})
  const file = join(dir, 'report.json')
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
  process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report))
  progress(`done in ${report.meta.duration}; JSON report in ${file}`)
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`)
  process.exitCode = 1
})
