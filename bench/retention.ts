/**
 * Retention under load: prune throughput on a large store, and what pruning does to
 * acknowledgements (event-create latency) meanwhile, against the same load without it.
 *
 *   npm run build && node dist/bench/retention.js [events=100000] [clients=8]
 *
 * Measures, never asserts. Seeds `events` finished events (one delivery each) spread over
 * the last 30 days, then prunes all of them through the API while `clients` concurrent
 * clients create events, each waiting for its 201 (a durable, fsynced write).
 */
import {randomBytes} from 'node:crypto'
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {startRelay} from '../src/relay/relay.js'
import {storeStats} from '../src/retention/store-size.js'
import {seedStore} from './seed.js'
import {summarize} from './stats.js'

const count = Number(process.argv[2] ?? 100_000)
const clients = Number(process.argv[3] ?? 8)

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-retention-bench-'))
  const key = `bench-${randomBytes(8).toString('hex')}`
  try {
    const seeded = seedStore(dir, key, count)
    const relay = await startRelay({dataDir: dir, port: 0, apiKey: key, deliver: false})
    const base = `${relay.url}/api/v1/projects/${seeded.projectId}`
    const headers = {authorization: `Bearer ${key}`, 'content-type': 'application/json'}
    const before = storeStats(relay.db, dir)

    /** Clients creating events back to back until `done` settles; each ack's latency in ms. */
    const load = async (done: Promise<unknown>) => {
      let stop = false
      void done.finally(() => (stop = true))
      const latencies: number[] = []
      await Promise.all(
        Array.from({length: clients}, async (_, c) => {
          for (let i = 0; !stop; i++) {
            const t0 = performance.now()
            const res = await fetch(`${base}/events/broadcast`, {
              method: 'POST',
              headers,
              body: JSON.stringify({event_type: 'bench.ack', data: {c, i}}),
            })
            await res.arrayBuffer()
            if (res.status !== 201) throw new Error(`event create answered ${res.status}`)
            latencies.push(performance.now() - t0)
          }
        }),
      )
      return latencies
    }

    const idle = await load(new Promise((resolve) => setTimeout(resolve, 3000)))
    const t0 = performance.now()
    const prune = fetch(`${base}/events/prune`, {method: 'POST', headers, body: JSON.stringify({older_than: '1m'})})
      .then((res) => res.json() as Promise<{data: {events: number; deliveries: number}}>)
      .then((body) => ({...body.data, ms: performance.now() - t0}))
    const during = await load(prune)
    const pruned = await prune
    const after = storeStats(relay.db, dir)
    await relay.stop()

    const row = (name: string, l: number[]) => {
      const s = summarize(l)
      const f = (v: number | null) => (v === null ? '-' : v.toFixed(1))
      return `${name.padEnd(22)} n=${String(s.n).padStart(6)}  p50 ${f(s.p50)} ms  p90 ${f(s.p90)} ms  p99 ${f(s.p99)} ms  max ${f(s.max)} ms`
    }
    process.stdout.write(
      [
        `store: ${count} seeded events, ${before.bytes} bytes on disk before; after: ${after.events} events, ${after.bytes} bytes (${after.free_bytes} free for reuse)`,
        `prune: ${pruned.events} events + ${pruned.deliveries} deliveries in ${(pruned.ms / 1000).toFixed(2)} s = ${Math.round(pruned.events / (pruned.ms / 1000))} events/s (500 per transaction)`,
        `event-create acks, ${clients} clients:`,
        row('  without pruning', idle),
        row('  while pruning', during),
      ].join('\n') + '\n',
    )
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`)
  process.exit(1)
})
