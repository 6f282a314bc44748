// The idle cost of a due backlog: N deliveries due for an endpoint that hangs (its in-flight
// slots taken by requests that get no answer). Prints the relay's CPU share from
// /proc/self/stat (utime+stime; Linux only) over SECONDS, started 3 s after the backlog.
// Keep SECONDS under the endpoint's timeout (30 s): after it the hung requests fail, the
// breaker opens and the due backlog is turned away (an attempt recorded each), which is work.
// Then, with DRAIN_SECONDS set, the endpoint comes back (held requests are answered, new ones
// at once) and the drain is measured for up to that long: deliveries/s at the endpoint and
// this process's RSS (the relay and a counting sink, nothing else) before, at peak and at end,
// then where the memory is (V8's spaces, live after a full GC under --expose-gc; SQLite's cache).
// Usage: node bench/backlog-idle.mjs [N=200000] [SECONDS=20] [DIST=dist]   (needs npm run build)
//        DRAIN_SECONDS=120 node --expose-gc bench/backlog-idle.mjs 1000000 10
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'
import {getHeapSpaceStatistics} from 'node:v8'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const N = Number(process.argv[2] ?? 200_000)
const SECONDS = Number(process.argv[3] ?? 20)
const DIST = resolve(ROOT, process.argv[4] ?? 'dist')
const {startRelay} = await import(pathToFileURL(join(DIST, 'src/relay/relay.js')).href)

const dir = mkdtempSync(join(tmpdir(), 'caravan-bench-idle-'))
// Hangs (holds every request) until `back`; then answers at once, counting what arrives.
let back = false
let arrived = 0
const held = []
const hang = createServer((req, res) => {
  req.resume()
  if (!back) return void held.push(res)
  arrived++
  res.end('ok')
})
await new Promise((done) => hang.listen(0, '127.0.0.1', done))
const apiKey = 'bench-idle-key-0123456789abcdef'
const relay = await startRelay({dataDir: dir, port: 0, apiKey, log: () => undefined})
const project = relay.defaultProjectId
const api = async (path, body) => {
  const res = await fetch(`${relay.url}/api/v1/projects/${project}${path}`, {
    method: 'POST',
    headers: {authorization: `Bearer ${apiKey}`, 'content-type': 'application/json'},
    body: JSON.stringify(body),
  })
  const json = await res.json()
  if (!res.ok) throw new Error(`${path}: ${json.message}`)
  return json.data
}
try {
  const endpoint = await api('/endpoints', {
    name: 'hangs',
    url: `http://127.0.0.1:${hang.address().port}/`,
    rate_limit: 0,
  })
  const sub = await api('/subscriptions', {name: 'hangs', endpoint_id: endpoint.uid})
  const db = relay.db
  const at = new Date().toISOString()
  const due = Date.now()
  const pad = (n) => n.toString(36).padStart(8, '0')
  const event = db.prepare(
    `INSERT INTO events (id, project_id, source_id, event_type, method, url_path, url_query, headers, body, idempotency_key, is_duplicate, verification_error, target_endpoint_ids, created_at, updated_at)
     VALUES (?, ?, NULL, 'bench', 'POST', '', '', '{}', ?, NULL, 0, NULL, '[]', ?, ?)`,
  )
  const delivery = db.prepare(
    `INSERT INTO deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, status, mode, attempts, retry_limit, next_attempt_at, latency_ms, description, idempotency_key, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, 'bench', 'Retry', 'push', 1, 10, ?, 0, '', NULL, ?, ?)`,
  )
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      event.run(`01IDLEEV${pad(i)}`, project, Buffer.from('{}'), at, at)
      delivery.run(`01IDLEDL${pad(i)}`, project, `01IDLEEV${pad(i)}`, endpoint.uid, sub.uid, due, at, at)
    }
  })()
  relay.events.emit('deliveries.scheduled', {projectId: project})
  await new Promise((done) => setTimeout(done, 3000))
  const ticks = () => {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
    return Number(fields[11]) + Number(fields[12])
  }
  const t0 = ticks()
  const w0 = Date.now()
  await new Promise((done) => setTimeout(done, SECONDS * 1000))
  const cpu = ((ticks() - t0) / 100 / ((Date.now() - w0) / 1000)) * 100
  process.stdout.write(`${N} deliveries due, endpoint hanging: relay CPU ${cpu.toFixed(1)} % over ${SECONDS} s\n`)
  const drainSeconds = Number(process.env.DRAIN_SECONDS ?? 0)
  if (drainSeconds > 0) {
    const mib = (n) => (n / 2 ** 20).toFixed(0)
    const rssStart = process.memoryUsage().rss
    let rssPeak = rssStart
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100)
    back = true
    const started = Date.now()
    for (const res of held.splice(0)) {
      arrived++
      res.end('ok')
    }
    while (arrived < N && Date.now() - started < drainSeconds * 1000) await new Promise((done) => setTimeout(done, 200))
    clearInterval(sampler)
    const seconds = (Date.now() - started) / 1000
    process.stdout.write(
      `drain: ${arrived} of ${N} delivered in ${seconds.toFixed(0)} s = ${Math.round(arrived / seconds)}/s; RSS ${mib(rssStart)} MiB at start, peak ${mib(rssPeak)} MiB, ${mib(process.memoryUsage().rss)} MiB at end\n`,
    )
    // Where the resident memory is at the end: V8's spaces, buffers outside the heap, SQLite
    // (after a full GC when run with --expose-gc, so `used` is what is still live).
    globalThis.gc?.()
    const spaces = getHeapSpaceStatistics()
      .filter((s) => s.space_size >= 2 ** 19) // those of at least half a MiB (the rest show as 0)
      .map((s) => `${s.space_name.replace(/_space$/, '')} ${mib(s.space_size)} (${mib(s.space_used_size)} used)`)
    const used = process.memoryUsage()
    process.stdout.write(
      `memory at end: V8 heap ${mib(used.heapTotal)} MiB (${spaces.join(', ')}), external ${mib(used.external)} MiB (array buffers ${mib(used.arrayBuffers)}), SQLite page cache up to ${mib(-relay.db.pragma('cache_size', {simple: true}) * 1024)} MiB\n`,
    )
  }
} finally {
  await relay.stop({graceMs: 100}).catch(() => undefined)
  hang.closeAllConnections?.()
  hang.close()
  rmSync(dir, {recursive: true, force: true})
  process.exit(0)
}
