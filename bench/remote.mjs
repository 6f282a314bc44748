// Remote-path throughput/latency: gateway process -> listener process -> app sink (this process).
// Usage: npm run bench:remote -- [N=2000] [CONCURRENCY=20]   (needs npm run build first)
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import {createServer} from 'node:http'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const N = Number(process.argv[2] ?? 2000)
const CONC = Number(process.argv[3] ?? 20)
const WARMUP = 50
const dir = mkdtempSync(join(tmpdir(), 'caravan-bench-'))
const env = (name) => {
  const e = {
    ...process.env,
    NO_COLOR: '1',
    CARAVAN_CONFIG_DIR: join(dir, name, 'config'),
    CARAVAN_DATA_DIR: join(dir, name, 'data'),
  }
  for (const k of Object.keys(e))
    if (k.startsWith('CARAVAN_') && !['CARAVAN_CONFIG_DIR', 'CARAVAN_DATA_DIR'].includes(k)) delete e[k]
  return e
}
const children = []
const run = (args, name, ready) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/run.js'), ...args], {
      env: env(name),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (c) => (out += c))
    child.stderr.setEncoding('utf8').on('data', (c) => {
      err += c
      const m = ready.exec(err)
      if (m) resolve({child, out: () => out, err: () => err, match: m})
    })
    child.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}: ${err}`)))
  })

const received = new Map()
const arrivedAt = new Map()
const acked = new Map()
const sentT = new Map()
let dupes = 0
let onCount
const app = createServer((req, res) => {
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    const at = performance.now()
    const {seq, t} = JSON.parse(Buffer.concat(chunks).toString())
    if (received.has(seq)) dupes++
    else {
      received.set(seq, at - t)
      arrivedAt.set(seq, at)
      sentT.set(seq, t)
    }
    res.end('ok')
    onCount?.()
  })
})
await new Promise((r) => app.listen(0, '127.0.0.1', r))
const appUrl = `http://127.0.0.1:${app.address().port}`

try {
  const gw = await run(['server', '--port', '0', '--json'], 'gateway', /Caravan relay ready on /)
  const info = JSON.parse(gw.out().split('\n')[0])
  const listener = await run(
    [
      'listen',
      '--gateway',
      info.url,
      '--api-key',
      info.api_key,
      '--project',
      info.project_id,
      '--forward',
      appUrl,
      '--source',
      'bench',
      '--name',
      'bench',
      '--json',
    ],
    'laptop',
    /Ready! Forwarding (\S+)/,
  )
  const ingest = listener.match[1]
  const send = async (seq) => {
    const r = await fetch(ingest, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({seq, t: performance.now(), pad: 'x'.repeat(200)}),
    })
    await r.arrayBuffer()
    if (r.status !== 200) throw new Error(`ingest ${r.status}`)
    if (seq >= 0) acked.set(seq, performance.now())
  }
  const waitAll = (n) =>
    new Promise((resolve) => {
      onCount = () => received.size >= n && resolve()
      onCount()
    })
  const blast = async (from, count) => {
    let next = from
    await Promise.all(
      Array.from({length: CONC}, async () => {
        while (next < from + count) await send(next++)
      }),
    )
  }
  await blast(-WARMUP, WARMUP)
  await waitAll(WARMUP)
  received.clear()
  const t0 = performance.now()
  let sentAt = 0
  await blast(0, N).then(() => (sentAt = performance.now()))
  await waitAll(N)
  const t1 = performance.now()
  const lat = [...received.values()].sort((a, b) => a - b)
  const q = (p, arr = lat) => arr[Math.min(arr.length - 1, Math.floor(p * arr.length))]
  const ing = [...acked.entries()].map(([s, a]) => a - sentT.get(s)).sort((a, b) => a - b)
  // Results recorded at the gateway:
  const page = await (
    await fetch(`${info.url}/api/v1/projects/${info.project_id}/eventdeliveries?status=Success&perPage=1`, {
      headers: {authorization: `Bearer ${info.api_key}`},
    })
  ).json()
  console.log(
    JSON.stringify({
      events: N,
      concurrency: CONC,
      ingest_accept_per_s: Math.round(N / ((sentAt - t0) / 1000)),
      end_to_end_per_s: Math.round(N / ((t1 - t0) / 1000)),
      latency_ms: {
        p50: +q(0.5).toFixed(1),
        p90: +q(0.9).toFixed(1),
        p99: +q(0.99).toFixed(1),
        max: +lat[lat.length - 1].toFixed(1),
      },
      ingest_post_ms: {p50: +q(0.5, ing).toFixed(1), p99: +q(0.99, ing).toFixed(1)},
      duplicates: dupes,
      missing: N - received.size,
      gateway_success_listing_ok: page.status === true,
    }),
  )
  if (process.env.BENCH_DEBUG)
    console.error(
      '--- listener stderr\n' + listener.err().slice(-3000) + '\n--- gateway stderr\n' + gw.err().slice(-2000),
    )
} finally {
  for (const c of children) c.kill('SIGKILL')
  app.close()
  rmSync(dir, {recursive: true, force: true})
}
