import {spawn} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

import {type Harness, progress, ROOT} from '../harness.js'
import type {Row, Section} from '../report.js'
import {startBenchRelay} from '../relay.js'
import {seedStore} from '../seed.js'
import {summarize} from '../stats.js'
import {cliEnv} from './cli.js'
import type {Sizes} from './sizes.js'

const BIN = join(ROOT, 'bin', 'run.js')
const ROWS = 40
const COLUMNS = 160
/** The seeded event types (bench/seed.ts): seeing one on screen means the list is drawn. */
const EVENT_ROW = /(invoice|customer|charge|payout)\.[a-z]+/
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

interface PtyRun {
  /** spawn -> first byte on the terminal */
  firstByteMs: number | null
  /** spawn -> the header of the first frame */
  frameMs: number | null
  /** spawn -> the first event row */
  rowsMs: number | null
  /** resident memory of the program when its first rows were drawn, and its peak until it quit */
  rssBytes: number | null
  peakBytes: number | null
  /** `q` -> exit */
  quitMs: number | null
  code: number | null
  screen: string
}

/** VmRSS and VmHWM (peak) of a process, in bytes. */
function memoryOf(pid: number | undefined): {rss: number; peak: number} | null {
  if (!pid) return null
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
    return {rss: kib('VmRSS'), peak: kib('VmHWM')}
  } catch {
    return null
  }
}

/** The program `script` runs in the terminal (the shell execs it, so it keeps the pid). */
function ptyChild(scriptPid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8').trim()
    return children ? Number(children.split(/\s+/)[0]) : undefined
  } catch {
    return undefined
  }
}

/**
 * Run `argv` in a fresh pseudo-terminal (util-linux `script`, ROWS x COLUMNS) and time
 * what the user sees: the first byte, the frame whose text matches `frame`, the first
 * event row. Then press `q` (when `quit`) and wait for the exit.
 */
function runInPty(
  argv: string[],
  env: NodeJS.ProcessEnv,
  opts: {frame: RegExp; rows?: RegExp; quit: boolean},
): Promise<PtyRun> {
  return new Promise((resolve, reject) => {
    const command = `stty rows ${ROWS} cols ${COLUMNS}; exec ${argv.map(quote).join(' ')}`
    const t0 = performance.now()
    const child = spawn('script', ['-qfec', command, '/dev/null'], {env, stdio: ['pipe', 'pipe', 'pipe']})
    const run: PtyRun = {
      firstByteMs: null,
      frameMs: null,
      rowsMs: null,
      rssBytes: null,
      peakBytes: null,
      quitMs: null,
      code: null,
      screen: '',
    }
    let pid: number | undefined
    let quitAt = 0
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    const quit = () => {
      if (quitAt) return
      // Peak memory is read just before quitting: it covers start-up and the first frames.
      const memory = memoryOf(pid)
      run.peakBytes = memory?.peak ?? null
      quitAt = performance.now()
      child.stdin.write('q')
    }
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const at = performance.now() - t0
      pid ??= ptyChild(child.pid!)
      run.firstByteMs ??= at
      run.screen = (run.screen + chunk).slice(-20_000)
      if (run.frameMs === null && opts.frame.test(run.screen)) run.frameMs = at
      if (run.frameMs !== null && run.rowsMs === null && (!opts.rows || opts.rows.test(run.screen))) {
        run.rowsMs = at
        run.rssBytes = memoryOf(pid)?.rss ?? null
        // Let the view settle (live feed connected, second render) before quitting.
        if (opts.quit) setTimeout(quit, 500)
      }
    })
    child.stderr.resume()
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`could not start script(1) for a pseudo-terminal (util-linux): ${error.message}`))
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      run.code = code
      if (quitAt) run.quitMs = performance.now() - quitAt
      resolve(run)
    })
  })
}

const mib = (bytes: number | null) => (bytes === null ? null : bytes / 1024 / 1024)

/**
 * `caravan inspect` start-up as a user sees it: the built binary in a real terminal,
 * timed from spawn to the first frame and to the first event rows, on a small store and
 * on a large one, against Node printing one line in the same terminal as the floor.
 */
export async function runInspect(h: Harness, sizes: Sizes): Promise<Section> {
  return h.scope(async () => {
    const stores = [1000, sizes.storeEvents]
    const relays = []
    for (const count of stores) {
      const dir = h.dir(`inspect-store-${count}`)
      progress(`inspect: seeding ${count.toLocaleString('en-US')} events + deliveries`)
      seedStore(dir, `bench-inspect-${Date.now()}`, count)
      relays.push(await startBenchRelay(h, `inspect-relay-${count}`, {dataDir: dir, deliver: false}))
    }
    interface Case {
      label: string
      baseline: boolean
      argv: string[]
      env: NodeJS.ProcessEnv
      frame: RegExp
      rows?: RegExp
      quit: boolean
    }
    const cases: Case[] = [
      {
        label: 'node prints a line (baseline)',
        baseline: true,
        argv: [process.execPath, '-e', 'process.stdout.write("ready\\n")'],
        env: cliEnv(h, relays[0]),
        frame: /ready/,
        quit: false,
      },
      ...relays.map((r, i) => ({
        label: `inspect, ${stores[i].toLocaleString('en-US')} events stored`,
        baseline: false,
        argv: [process.execPath, BIN, 'inspect'],
        // A user's terminal: colour on, no CI variables.
        env: {...cliEnv(h, r), NO_COLOR: undefined, CI: undefined, TERM: 'xterm-256color'},
        frame: /caravan inspect/,
        rows: EVENT_ROW,
        quit: true,
      })),
    ]
    const runs = sizes.inspectRuns
    progress(`inspect: ${cases.length} cases x ${runs} runs (+1 warm-up each) in a ${COLUMNS}x${ROWS} pty`)
    const results = cases.map(() => [] as PtyRun[])
    const failures: string[] = []
    // Interleaved, so drift on the machine hits every case alike.
    for (let run = -1; run < runs; run++) {
      for (const [i, c] of cases.entries()) {
        const r = await runInPty(c.argv, c.env, c)
        if (r.code !== 0 || r.frameMs === null || (c.rows && r.rowsMs === null)) {
          const shown = r.screen
            .replace(/\u001B\[[0-9;?]*[a-zA-Z]/g, '')
            .replace(/\s+/g, ' ')
            .trim()
          failures.push(`${c.label}: exit ${r.code}, screen: ${shown.slice(0, 200)}`)
        }
        if (run >= 0) results[i].push(r)
      }
    }
    const pick = (runs: PtyRun[], key: keyof PtyRun) =>
      runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number')
    const rows: Row[] = cases.map((c, i) => {
      const frame = summarize(pick(results[i], 'frameMs'))
      return {
        label: c.label,
        baseline: c.baseline,
        values: {
          runs: results[i].length,
          frame_ms: frame.p50,
          frame_max_ms: frame.max,
          rows_ms: c.baseline ? null : summarize(pick(results[i], 'rowsMs')).p50,
          rss_mib: c.baseline ? null : mib(summarize(pick(results[i], 'rssBytes')).p50),
          peak_mib: c.baseline ? null : mib(summarize(pick(results[i], 'peakBytes')).max),
          quit_ms: c.baseline ? null : summarize(pick(results[i], 'quitMs')).p50,
        },
      }
    })
    return {
      id: 'inspect',
      title: `6. caravan inspect start-up in a ${COLUMNS}x${ROWS} terminal: spawn -> first frame / first rows`,
      columns: [
        {key: 'runs', header: 'runs'},
        {key: 'frame_ms', header: 'first frame ms'},
        {key: 'frame_max_ms', header: 'max ms'},
        {key: 'rows_ms', header: 'first rows ms'},
        {key: 'rss_mib', header: 'RSS at rows MiB'},
        {key: 'peak_mib', header: 'peak RSS MiB'},
        {key: 'quit_ms', header: 'q -> exit ms'},
      ],
      rows,
      notes: [
        'The built binary runs in a pseudo-terminal made by util-linux script(1); times are from spawn to the bytes on the terminal (first frame = the header, first rows = an event row), medians.',
        'Each store is seeded like section 4 and served by its own in-process relay (no delivery); the inspector draws a screenful of the newest events first, then loads the rest of its default --limit (500).',
        'RSS is the inspector process alone (/proc/<pid>/status VmRSS when the rows appeared; peak = VmHWM 0.5 s later, before q).',
        ...[...new Set(failures)].slice(0, 3),
      ],
      facts: {
        samples: Object.fromEntries(cases.map((c, i) => [c.label, results[i].map(({screen: _, ...r}) => r)])),
      },
    }
  })
}
