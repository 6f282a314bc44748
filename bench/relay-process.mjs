// The outbound path with the relay in its own process (the bench runs everything in one):
// a real `caravan server` child, N events POSTed to events/broadcast at concurrency C, one
// endpoint on a sink in this process. Prints one JSON line: acks/s, delivered/s, ack p50/p99
// and the relay's CPU per event (Linux /proc; all, and the kernel's share), the figure that says
// whether it is CPU-bound.
//
//   npm run build && node bench/relay-process.mjs [N=5000] [C=32] [CPU_PROFILE_DIR]
//   MAX_IN_FLIGHT=64 node bench/relay-process.mjs      the endpoint's max_in_flight
//   CARAVAN_ROOT=../other-checkout node bench/relay-process.mjs   another build, same load
//   NO_SUBSCRIPTION=1 node bench/relay-process.mjs      events stored and acknowledged, none delivered
import {spawn} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

import {Agent, request} from 'undici'

const [count = 5000, concurrency = 32, profileDir = ''] = process.argv.slice(2)
const N = Number(count)
const C = Number(concurrency)
const WARMUP = 50
const root = resolve(process.env.CARAVAN_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..'))
const apiKey = 'bench-'.padEnd(32, 'k')

let arrived = 0
let allArrived
const everyDelivery = new Promise((done) => (allArrived = done))
const sink = createServer((req, res) => {
  req.resume()
  req.on('end', () => {
    res.end('ok')
    if (++arrived === N + WARMUP) allArrived()
  })
})
await new Promise((ready) => sink.listen(0, '127.0.0.1', ready))

const dataDir = mkdtempSync(join(tmpdir(), 'caravan-relay-process-'))
const relay = spawn(
  process.execPath,
  [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    join(root, 'bin/run.js'),
    'server',
    ...['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--api-key', apiKey],
  ],
  {stdio: ['ignore', 'ignore', 'pipe']},
)
const url = await new Promise((ready, fail) => {
  let said = ''
  relay.stderr.on('data', (chunk) => {
    said += chunk
    const found = /ready on (http:\/\/127\.0\.0\.1:\d+)/.exec(said)
    if (found) ready(found[1])
  })
  relay.on('exit', (code) => fail(new Error(`caravan server exited ${code}: ${said}`)))
})

const agent = new Agent({connections: C + 4})
const headers = {authorization: `Bearer ${apiKey}`, 'content-type': 'application/json'}
async function api(method, path, body) {
  const res = await request(url + path, {method, headers, body: body && JSON.stringify(body), dispatcher: agent})
  const json = await res.body.json()
  if (res.statusCode >= 300) throw new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(json)}`)
  return json.data
}
const projects = await api('GET', '/api/v1/projects')
const project = `/api/v1/projects/${(projects.content ?? projects)[0].uid}`
const deliver = !process.env.NO_SUBSCRIPTION
if (!deliver) allArrived()
const endpoint =
  deliver &&
  (await api('POST', `${project}/endpoints`, {
    name: 'sink',
    url: `http://127.0.0.1:${sink.address().port}/hook`,
    rate_limit: 0,
    ...(process.env.MAX_IN_FLIGHT ? {max_in_flight: Number(process.env.MAX_IN_FLIGHT)} : {}),
  }))
if (deliver) await api('POST', `${project}/subscriptions`, {name: 'all', endpoint_id: endpoint.uid})

const pad = 'x'.repeat(64)
async function send(i) {
  const res = await request(`${url}${project}/events/broadcast`, {
    method: 'POST',
    headers,
    body: `{"event_type":"invoice.paid","data":{"i":${i},"pad":"${pad}"}}`,
    dispatcher: agent,
  })
  await res.body.text()
  if (res.statusCode !== 201) throw new Error(`event ${i}: HTTP ${res.statusCode}`)
}
for (let i = 0; i < WARMUP; i++) await send(-1 - i)

/** The relay's user and system CPU so far (all its threads), in ms (Linux: clock ticks of 10 ms). */
function relayCpu() {
  const fields = readFileSync(`/proc/${relay.pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return {user: Number(fields[11]) * 10, system: Number(fields[12]) * 10}
}
const cpuBefore = relayCpu()
const latencies = []
let next = 0
const started = performance.now()
await Promise.all(
  Array.from({length: C}, async () => {
    while (next < N) {
      const i = next++
      const t0 = performance.now()
      await send(i)
      latencies.push(performance.now() - t0)
    }
  }),
)
const ackedMs = performance.now() - started
await everyDelivery
const deliveredMs = performance.now() - started
const cpuAfter = relayCpu()
const userMs = cpuAfter.user - cpuBefore.user
const systemMs = cpuAfter.system - cpuBefore.system
const cpuMs = userMs + systemMs
latencies.sort((a, b) => a - b)
const at = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(1)
console.log(
  JSON.stringify({
    events: N,
    concurrency: C,
    acks_per_s: Math.round((N / ackedMs) * 1000),
    delivered_per_s: Math.round((N / deliveredMs) * 1000),
    ack_p50_ms: Number(at(0.5)),
    ack_p99_ms: Number(at(0.99)),
    relay_cpu_us_per_event: Math.round((cpuMs * 1000) / N),
    // of which in the kernel (sockets, WAL writes, fsync), the rest in Node and SQLite
    relay_system_us_per_event: Math.round((systemMs * 1000) / N),
  }),
)
relay.removeAllListeners('exit')
relay.kill('SIGINT')
await new Promise((exited) => relay.on('exit', exited))
sink.close()
await agent.close()
rmSync(dataDir, {recursive: true, force: true})
