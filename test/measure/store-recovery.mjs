// Figures for issue 10 items 2 and 13: how a relay rides out a store that cannot take writes
// under steady traffic, and how soon it is back once the condition clears. Not a test: it
// prints a report. Run after `npm run build`:
//   node test/measure/store-recovery.mjs busy [holdMs]       a real `caravan server`; another connection holds
//                                                            the write lock (BEGIN IMMEDIATE) past busy_timeout
//   node test/measure/store-recovery.mjs disk DIR [holdMs]   a real `caravan server` with its data dir in DIR, a
//                                                            small filesystem (e.g. a 4 MB tmpfs) filled to ENOSPC
//   node test/measure/store-recovery.mjs full [holdMs]       in-process relay, PRAGMA max_page_count (SQLITE_FULL)
import Database from 'better-sqlite3'
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, unlinkSync, writeSync, openSync, closeSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const mode = process.argv[2] ?? 'busy'
const diskDir = mode === 'disk' ? process.argv[3] : undefined
const holdMs = Number(process.argv[mode === 'disk' ? 4 : 3] ?? 8000)
const SENDERS = 4
const SINK_DELAY_MS = Number(process.env.SINK_DELAY_MS ?? 0)
const KEY = 'measure-key'
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const received = new Map()
const sink = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const {seq} = JSON.parse(Buffer.concat(chunks).toString())
    received.set(seq, (received.get(seq) ?? 0) + 1)
    // A slow app keeps deliveries in flight, so some results come back while the store fails.
    setTimeout(() => res.end('ok'), SINK_DELAY_MS)
  })
})
await new Promise((r) => sink.listen(0, '127.0.0.1', r))
const sinkUrl = `http://127.0.0.1:${sink.address().port}`

const box = mkdtempSync(join(tmpdir(), 'caravan-measure-'))
const dataDir = diskDir ? mkdtempSync(join(diskDir, 'caravan-measure-')) : join(box, 'data')
const logs = []
let relay // {url, stop(), db?}
if (mode === 'full') {
  const {startRelay} = await import('../../dist/src/relay/relay.js')
  const r = await startRelay({port: 0, dataDir, apiKey: KEY, log: (l) => logs.push(`${new Date().toISOString()} ${l}`)})
  relay = {
    url: r.url,
    db: r.db,
    projectId: r.defaultProjectId,
    stop: () => r.stop({graceMs: 1000}),
    alive: () => r.db.open,
  }
} else {
  const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), 'server', '--port', '0', '--json'], {
    env: {
      ...process.env,
      CARAVAN_DATA_DIR: dataDir,
      CARAVAN_CONFIG_DIR: join(box, 'config'),
      CARAVAN_API_KEY: KEY,
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let exited
  child.on('exit', (code) => (exited = code))
  child.stderr.setEncoding('utf8').on('data', (c) => {
    for (const l of c.split('\n').filter(Boolean)) logs.push(`${new Date().toISOString()} ${l}`)
  })
  const ready = await new Promise((res) => child.stdout.setEncoding('utf8').once('data', (c) => res(JSON.parse(c))))
  relay = {
    url: ready.url,
    projectId: ready.project_id,
    alive: () => exited === undefined,
    stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))),
  }
}
const reader = new Database(join(dataDir, 'caravan.db'), {readonly: true})
const count = (sql) => reader.prepare(sql).get().n

const api = async (method, path, body) => {
  const res = await fetch(relay.url + path, {
    method,
    headers: {authorization: `Bearer ${KEY}`, 'content-type': 'application/json'},
    body: body && JSON.stringify(body),
  })
  return (await res.json()).data
}
const p = `/api/v1/projects/${relay.projectId}`
const endpoint = await api('POST', `${p}/endpoints`, {name: 'sink', url: sinkUrl})
const source = await api('POST', `${p}/sources`, {name: 'in', type: 'http', verifier: {type: 'noop'}})
await api('POST', `${p}/subscriptions`, {name: 's', endpoint_id: endpoint.uid, source_id: source.uid})

const acked = new Set()
const answers = new Map()
let seq = 0
let running = true
const pad = 'x'.repeat(mode === 'busy' ? 200 : 20_000)
async function sender() {
  while (running) {
    const mine = seq++
    for (;;) {
      const res = await fetch(source.url, {method: 'POST', body: JSON.stringify({seq: mine, pad})}).catch(
        () => undefined,
      )
      if (res?.ok) {
        acked.add(mine)
        break
      }
      const kind = res ? `${res.status}${res.headers.get('retry-after') ? ' (Retry-After)' : ''}` : 'no answer'
      answers.set(kind, (answers.get(kind) ?? 0) + 1)
      // A provider retrying quickly (real ones wait longer): this measures the relay, not the client.
      await sleep(50)
    }
    await sleep(5)
  }
}
const senders = Array.from({length: SENDERS}, sender)
await sleep(1000)

let release
if (mode === 'busy') {
  const other = new Database(join(dataDir, 'caravan.db'))
  other.exec('BEGIN IMMEDIATE')
  release = () => {
    other.exec('ROLLBACK')
    other.close()
  }
} else if (mode === 'disk') {
  const filler = join(diskDir, `filler-${process.pid}`)
  const fd = openSync(filler, 'w')
  const chunk = Buffer.alloc(64 * 1024)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    if (error.code !== 'ENOSPC') throw error
  }
  closeSync(fd)
  release = () => unlinkSync(filler)
} else {
  relay.db.pragma('wal_checkpoint(TRUNCATE)')
  relay.db.pragma(`max_page_count = ${relay.db.pragma('page_count', {simple: true})}`)
  release = () => relay.db.pragma('max_page_count = 4294967294')
}
const ackedBefore = acked.size
const healthDuring = []
const holdUntil = Date.now() + holdMs
while (Date.now() < holdUntil) {
  const res = await fetch(`${relay.url}/healthz`).catch(() => undefined)
  if (res) healthDuring.push(res.status)
  await sleep(250)
}
const ackedDuring = acked.size - ackedBefore
release()
const cleared = Date.now()

let healthyAt
let firstAckAt
const ackedAtClear = acked.size
while (!healthyAt || !firstAckAt) {
  if (!healthyAt && (await fetch(`${relay.url}/healthz`)).status === 200) healthyAt = Date.now()
  if (!firstAckAt && acked.size > ackedAtClear) firstAckAt = Date.now()
  if (Date.now() - cleared > 60_000) break
  await sleep(10)
}
await sleep(1000)
running = false
await Promise.all(senders)
const stopSending = Date.now()
let settledAt
while (Date.now() - stopSending < 60_000) {
  if (
    count(`SELECT COUNT(*) AS n FROM deliveries WHERE status <> 'Success'`) === 0 &&
    [...acked].every((s) => received.has(s))
  ) {
    settledAt = Date.now()
    break
  }
  await sleep(20)
}
const lost = [...acked].filter((s) => !received.has(s))
const twice = [...received.values()].filter((n) => n > 1).length
const stuck = count(`SELECT COUNT(*) AS n FROM deliveries WHERE status = 'Processing'`)
const attempts = count(`SELECT COUNT(*) AS n FROM delivery_attempts`)
const alive = relay.alive()

const what = {
  busy: 'SQLITE_BUSY: another connection holds the write lock (BEGIN IMMEDIATE), relay busy_timeout 5000 ms',
  disk: `disk full (ENOSPC) on ${diskDir}`,
  full: 'SQLITE_FULL via PRAGMA max_page_count (in-process relay)',
}[mode]
console.log(
  `condition: ${what}; held ${holdMs} ms; ${SENDERS} senders retrying every 50 ms; app answers in ${SINK_DELAY_MS} ms`,
)
console.log(`relay process alive throughout: ${alive}`)
console.log(
  `ingest answers while held: ${JSON.stringify(Object.fromEntries(answers))}; acknowledged meanwhile: ${ackedDuring}`,
)
console.log(`/healthz while held: ${[...new Set(healthDuring)].join(', ')}`)
console.log(
  `after clearing: /healthz 200 in ${healthyAt - cleared} ms, first acknowledged ingest in ${firstAckAt - cleared} ms`,
)
console.log(
  `acknowledged: ${acked.size}; delivered: ${acked.size - lost.length}; lost: ${lost.length}; delivered twice: ${twice}`,
)
console.log(
  `all delivered and recorded ${settledAt ? `${settledAt - stopSending} ms after traffic stopped` : 'NOT within 60 s'}; left Processing: ${stuck}; attempts: ${attempts}`,
)
console.log('relay log:')
for (const l of logs) console.log(`  ${l}`)
reader.close()
await relay.stop()
sink.close()
rmSync(box, {recursive: true, force: true})
if (diskDir) rmSync(dataDir, {recursive: true, force: true})
