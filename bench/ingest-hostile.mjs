// Issue 10 items 8 and 11, measured against a built relay (dist/ of this checkout, or the one
// given): how much the store grows for 20 × 1 MiB unsigned requests to a signed source, and
// the relay's RSS while 40 senders each declare an 8 MiB body and never finish it.
//   node bench/ingest-hostile.mjs [path/to/dist]
import {spawn} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {request} from 'node:http'
import {tmpdir} from 'node:os'
import {join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

const dist = resolve(process.argv[2] ?? 'dist')

if (process.env.INGEST_BENCH_CHILD) {
  // The relay runs alone in this process, so its RSS is its own.
  const {startRelay} = await import(pathToFileURL(join(dist, 'src/relay/relay.js')).href)
  const relay = await startRelay({
    port: 0,
    dataDir: process.env.INGEST_BENCH_CHILD,
    apiKey: 'bench-key',
    deliver: false,
  })
  process.stdout.write(JSON.stringify({url: relay.url, project: relay.defaultProjectId}) + '\n')
  process.stdin.on('data', () => {
    globalThis.gc?.()
    process.stdout.write(JSON.stringify({rss: process.memoryUsage().rss}) + '\n')
  })
  process.stdin.on('end', () => relay.stop({graceMs: 100}).then(() => process.exit(0)))
} else {
  const dataDir = mkdtempSync(join(tmpdir(), 'caravan-bench-ingest-'))
  const child = spawn(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, dist], {
    env: {...process.env, INGEST_BENCH_CHILD: dataDir},
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = []
  let waiting
  let buffered = ''
  child.stdout.on('data', (chunk) => {
    buffered += chunk
    let nl
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)))
      buffered = buffered.slice(nl + 1)
      waiting?.()
    }
  })
  const next = () => new Promise((ok) => (lines.length ? ok(lines.shift()) : (waiting = () => ok(lines.shift()))))
  const rss = async () => {
    child.stdin.write('\n')
    return (await next()).rss
  }
  const {url, project} = await next()
  const api = async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: {authorization: 'Bearer bench-key', 'content-type': 'application/json'},
      body: body && JSON.stringify(body),
    })
    return (await res.json()).data
  }
  const dirBytes = () => readdirSync(dataDir).reduce((n, f) => n + statSync(join(dataDir, f)).size, 0)
  const MiB = 1024 * 1024

  const source = await api('POST', `/api/v1/projects/${project}/sources`, {
    name: 'gh',
    type: 'http',
    provider: 'github',
    verifier: {type: 'hmac', hmac: {secret: 'bench-secret'}},
  })
  const before = dirBytes()
  const body = Buffer.alloc(MiB, 'a')
  const statuses = []
  for (let i = 0; i < 20; i++) {
    const res = await fetch(source.url, {method: 'POST', body, headers: {'content-type': 'application/octet-stream'}})
    statuses.push(res.status)
    await res.arrayBuffer()
  }
  const grew = dirBytes() - before
  console.log(
    `store growth for 20 × 1 MiB unsigned requests: ${(grew / 1e6).toFixed(2)} MB (answers: ${[...new Set(statuses)]})`,
  )

  // 40 senders that each declare 8 MiB, send all but the last 64 KiB, and go silent: first all
  // at one source, then one per source (the relay-wide caps).
  const sources = [source]
  for (let i = 1; i < 40; i++)
    sources.push(await api('POST', `/api/v1/projects/${project}/sources`, {name: `s${i}`, type: 'http'}))
  for (const [label, pick] of [
    ['one source', () => source],
    ['40 sources', (i) => sources[i]],
  ]) {
    const idle = await rss()
    const sockets = []
    const answers = {}
    const chunk = Buffer.alloc(64 * 1024, 'b')
    for (let i = 0; i < 40; i++) {
      const req = request(pick(i).url, {method: 'POST', headers: {'content-length': String(8 * MiB)}, agent: false})
      req.on('response', (res) => {
        answers[res.statusCode] = (answers[res.statusCode] ?? 0) + 1
        res.resume()
      })
      req.on('error', () => {})
      for (let sent = 0; sent < 8 * MiB - chunk.length; sent += chunk.length) req.write(chunk)
      sockets.push(req)
    }
    await new Promise((ok) => setTimeout(ok, 3000))
    const loaded = await rss()
    for (const req of sockets) req.destroy()
    await new Promise((ok) => setTimeout(ok, 1000))
    console.log(
      `relay RSS, 40 unfinished 8 MiB bodies to ${label}: ${(idle / 1e6).toFixed(0)} MB before, ${(loaded / 1e6).toFixed(0)} MB during (answers: ${JSON.stringify(answers)}), ${((await rss()) / 1e6).toFixed(0)} MB after the senders left`,
    )
  }
  child.stdin.end()
  await new Promise((ok) => child.on('exit', ok))
  rmSync(dataDir, {recursive: true, force: true})
}
