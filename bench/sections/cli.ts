import {spawn} from 'node:child_process'
import {join} from 'node:path'

import {type Harness, progress, ROOT} from '../harness.js'
import {type BenchRelay, startBenchRelay} from '../relay.js'
import type {Row, Section} from '../report.js'
import {summarize} from '../stats.js'
import {met} from './backlog.js'
import type {Sizes} from './sizes.js'

const BIN = join(ROOT, 'bin', 'run.js')

interface Timed {
  ms: number
  code: number | null
  stderr: string
}

/** Spawn and time to exit (async, so the in-process relay keeps answering meanwhile). */
function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, {cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe']})
    let stderr = ''
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ms: performance.now() - t0, code, stderr})
    })
  })
}

/**
 * The environment of a CLI run against bench relay `r`: the parent's, less anything that
 * changes the CLI's behaviour, with its own config and data dirs under the run's temp root.
 */
export function cliEnv(h: Harness, r: BenchRelay): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('CARAVAN_') && !name.startsWith('OCLIF_') && name !== 'DEBUG' && name !== 'NODE_OPTIONS')
      env[name] = value
  }
  return Object.assign(env, {
    CARAVAN_CONFIG_DIR: h.dir('cli-config'),
    CARAVAN_DATA_DIR: h.dir('cli-data-unused'),
    CARAVAN_GATEWAY: r.relay.url,
    CARAVAN_API_KEY: r.apiKey,
    CARAVAN_PROJECT: r.projectId,
    NO_COLOR: '1',
  })
}

/**
 * CLI start-up as a user feels it: wall time of `node bin/run.js ...` from spawn to exit,
 * against `node -e 0` (Node's own start-up on this machine) as the baseline.
 */
export async function runCli(h: Harness, sizes: Sizes): Promise<Section> {
  return h.scope(async () => {
    const r = await startBenchRelay(h, 'cli-data')
    await r.ok('POST', r.p('/endpoints'), {name: 'bench-app', url: 'http://127.0.0.1:9/hook'})
    const env = cliEnv(h, r)
    const cases = [
      {label: 'node -e 0 (baseline)', args: ['-e', '0'], baseline: true},
      // Issue 12 goal 5: at most this much over Node's own start (medians of the same run).
      {label: 'caravan --version', args: [BIN, '--version'], baseline: false, goalOverNodeMs: 80},
      {label: 'caravan endpoints list', args: [BIN, 'endpoints', 'list'], baseline: false, goalOverNodeMs: 150},
    ]
    progress(`cli: ${cases.length} commands x ${sizes.cliRuns} runs (+1 warm-up each)`)
    const times = cases.map(() => [] as number[])
    const failures: string[] = []
    // Interleaved, so drift on the machine hits every case alike.
    for (let run = -1; run < sizes.cliRuns; run++) {
      for (const [i, c] of cases.entries()) {
        const t = await timeProcess(c.args, env)
        if (t.code !== 0)
          failures.push(
            `${c.label} exited ${t.code}: ${t.stderr
              .replace(/[\s›]+/g, ' ')
              .trim()
              .slice(0, 200)}`,
          )
        if (run >= 0) times[i].push(t.ms)
      }
    }
    const base = summarize(times[0]).p50 ?? 0
    const rows: Row[] = cases.map((c, i) => {
      const s = summarize(times[i])
      const over = c.baseline ? 0 : s.p50 === null ? null : s.p50 - base
      const goal = 'goalOverNodeMs' in c ? c.goalOverNodeMs : undefined
      return {
        label: c.label,
        baseline: c.baseline,
        values: {
          runs: s.n,
          median_ms: s.p50,
          min_ms: s.min,
          max_ms: s.max,
          over_node_ms: over,
          goal: goal === undefined ? '–' : `<= node + ${goal}`,
          met: goal === undefined ? '–' : met(over === null ? null : over <= goal),
        },
      }
    })
    return {
      id: 'cli',
      title: '5. CLI start-up (issue 12 goal 5): node bin/run.js, spawn -> exit',
      columns: [
        {key: 'runs', header: 'runs'},
        {key: 'median_ms', header: 'median ms'},
        {key: 'min_ms', header: 'min ms'},
        {key: 'max_ms', header: 'max ms'},
        {key: 'over_node_ms', header: 'over node ms'},
        {key: 'goal', header: 'goal'},
        {key: 'met', header: 'met'},
      ],
      rows,
      notes: [
        'endpoints list talks to an in-process relay (CARAVAN_GATEWAY/API_KEY/PROJECT set; CARAVAN_CONFIG_DIR/DATA_DIR in temp dirs); output discarded.',
        ...[...new Set(failures)].slice(0, 3),
      ],
      facts: {samples_ms: Object.fromEntries(cases.map((c, i) => [c.label, times[i]]))},
    }
  })
}
