import Database from 'better-sqlite3'
import {randomBytes} from 'node:crypto'
import {join} from 'node:path'

import {type Relay, type RelayOptions, startRelay} from '../src/relay/relay.js'
import {type Harness, progress} from './harness.js'
import {median} from './stats.js'

export interface BenchRelay {
  relay: Relay
  apiKey: string
  projectId: string
  /** `/api/v1/projects/<default project>` + suffix */
  p(suffix?: string): string
  /** A JSON API call that must succeed; returns `data`. */
  ok<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<T>
  /** Lines the relay logged. */
  logs: string[]
}

/** A relay on port 0 with its own data dir under the run's temp root, stopped by the harness. */
export async function startBenchRelay(
  h: Harness,
  name: string,
  options: Omit<RelayOptions, 'port' | 'apiKey'> = {},
): Promise<BenchRelay> {
  const apiKey = `bench-${randomBytes(12).toString('hex')}`
  const logs: string[] = []
  const relay = await startRelay({dataDir: h.dir(name), ...options, port: 0, apiKey, log: (line) => logs.push(line)})
  h.defer(`stop relay ${name}`, () => relay.stop({graceMs: 2000}))
  const ok = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(relay.url + path, {
      method,
      headers: {authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json()) as {data: T; message: string}
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${json.message}`)
    return json.data
  }
  const projectId = relay.defaultProjectId
  return {relay, apiKey, projectId, p: (suffix = '') => `/api/v1/projects/${projectId}${suffix}`, ok, logs}
}

/**
 * One endpoint on `sinkUrl` (`/hook`) with a catch-all subscription. Its rate limit is off:
 * the default (5000/min) would cap the figures. Returns the endpoint's id.
 */
export async function addSinkEndpoint(r: BenchRelay, sinkUrl: string): Promise<string> {
  const endpoint = await r.ok<{uid: string}>('POST', r.p('/endpoints'), {
    name: 'bench-sink',
    url: `${sinkUrl}/hook`,
    rate_limit: 0,
  })
  await r.ok('POST', r.p('/subscriptions'), {name: 'bench-all', endpoint_id: endpoint.uid})
  return endpoint.uid
}

/** The store's durability settings as the relay's own connection reports them. */
export function durabilitySettings(relay: Relay): {journal_mode: string; synchronous: string} {
  const sync = relay.db.pragma('synchronous', {simple: true}) as number
  return {
    journal_mode: String(relay.db.pragma('journal_mode', {simple: true})),
    synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][sync] ?? String(sync),
  }
}

/**
 * The raw cost of one durable commit on this disk: single-row autocommit transactions on a
 * scratch SQLite file, WAL + synchronous=FULL like the store. The floor under any
 * unbatched write the relay makes.
 */
export function durableCommitMs(dir: string, commits = 200): number | null {
  progress(`durable commit probe: ${commits} single-row commits (WAL, synchronous=FULL)`)
  const db = new Database(join(dir, 'probe.db'))
  try {
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)')
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)')
    const body = randomBytes(300)
    const times: number[] = []
    for (let i = 0; i < commits; i++) {
      const t0 = performance.now()
      insert.run(body)
      times.push(performance.now() - t0)
    }
    return median(times)
  } finally {
    db.close()
  }
}
