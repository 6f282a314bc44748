/**
 * The events list's `status` filter on a large store: seed N events (bench/seed.ts: one
 * delivery each, 2% Failure), start a relay on the file and time the first page of
 * `?status=Failure` and `?status=Success`, and the summary (24 h, 7 d), over HTTP. A report, not a test:
 * `node dist/bench/status-filter.js [count]`.
 */
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {startRelay} from '../src/relay/relay.js'
import {seedStore} from './seed.js'
import {median} from './stats.js'

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1_000_000)
  const runs = 9
  const dir = await mkdtemp(join(tmpdir(), 'caravan-status-bench-'))
  const key = `bench-status-${Date.now()}`
  try {
    const seeded = seedStore(dir, key, count)
    console.log(`seeded ${count} events (${seeded.failures} with a failed delivery) in ${Math.round(seeded.seedMs)} ms`)
    const relay = await startRelay({port: 0, dataDir: dir, apiKey: key, deliver: false})
    try {
      const base = `${relay.url}/api/v1/projects/${seeded.projectId}`
      const time = async (query: string): Promise<{ms: number; rows: number}> => {
        const t0 = performance.now()
        const res = await fetch(`${base}/${query}`, {headers: {authorization: `Bearer ${key}`}})
        const body = (await res.json()) as {data: {content?: unknown[]; buckets?: unknown[]}}
        const ms = performance.now() - t0
        if (!res.ok) throw new Error(`${query}: HTTP ${res.status}`)
        return {ms, rows: (body.data.content ?? body.data.buckets ?? []).length}
      }
      for (const query of [
        'events?perPage=50',
        'events?perPage=50&status=Failure',
        'events?perPage=50&status=Success',
        'events?perPage=50&status=Retry',
        'events?perPage=50&status=Stored',
        'events?perPage=50&status=Duplicate',
        'events?perPage=50&status=Rejected',
        'summary?period=24h',
        'summary?period=7d',
      ]) {
        await time(query) // warm the statement cache and the pages it reads
        const samples: number[] = []
        let rows = 0
        for (let i = 0; i < runs; i++) {
          const r = await time(query)
          samples.push(r.ms)
          rows = r.rows
        }
        console.log(
          `${query}: median ${(median(samples) ?? 0).toFixed(1)} ms over ${runs} (min ${Math.min(...samples).toFixed(1)}, max ${Math.max(...samples).toFixed(1)}), ${rows} rows`,
        )
      }
    } finally {
      await relay.stop({graceMs: 200})
    }
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

await main()
