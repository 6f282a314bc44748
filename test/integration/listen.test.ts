import {createHash, createHmac, randomBytes, timingSafeEqual} from 'node:crypto'
import {createServer as createHttpServer} from 'node:http'
import {createServer, type Socket} from 'node:net'

import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort, type Env, makeSandbox, readProfiles, runCli, startServerProcess} from '../helpers/cli.js'
import {type AppRequest, rawRequest, startApp, startListen, until} from '../helpers/listen.js'

/**
 * `caravan listen` driven as a user drives it: the built bin/run.js with temp config and
 * data dirs, a real app on port 0, webhooks POSTed to the ingest URL from the Ready line.
 */

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** A sandbox whose gateway is a free local port, so listen starts its embedded relay there. */
async function embeddedEnv(): Promise<Env> {
  return (await embeddedSandbox()).env
}

async function embeddedSandbox() {
  const sandbox = makeSandbox('caravan-listen-')
  onTestFinished(() => sandbox.cleanup())
  const env: Env = {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`}
  /** The relay's API with the key listen recorded in the local profile (faster than a CLI run). */
  const api = async (path: string, method = 'GET', body?: unknown) => {
    const profile = readProfiles(sandbox.configFile).profiles.local
    const res = await fetch(`${env.CARAVAN_GATEWAY}/api/v1/projects/${profile.project}${path}`, {
      method,
      headers: {authorization: `Bearer ${profile.apiKey}`, 'content-type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    expect(res.status, `${method} ${path}`).toBeLessThan(300)
    return ((await res.json()) as {data: any}).data // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  return {env, api}
}

/** What the test app does to check GitHub's signature, as an app would. */
function githubSignatureValid(req: AppRequest, secret: string): boolean {
  const header = req.headers['x-hub-signature-256']
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false
  const expected = createHmac('sha256', secret).update(req.body).digest()
  const given = Buffer.from(header.slice('sha256='.length), 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

const ATTEMPT_FIELDS = [
  'attempt',
  'delivery_id',
  'error',
  'event_id',
  'latency_ms',
  'method',
  'path',
  'retrying',
  'status',
  'target',
  'time',
  'type',
]

describe('caravan listen (embedded relay)', () => {
  it('forwards byte-identical requests with method, path suffix, query and headers; --json is NDJSON only', async () => {
    const {env, api} = await embeddedSandbox()
    const secret = 'app-shared-secret'
    const app = await startApp()
    const listen = await startListen(['--forward', `${app.url}/webhooks`, '--json'], env)
    expect(listen.readyLine).toBe(`Ready! Forwarding ${listen.ingestUrl} -> ${app.url}/webhooks`)
    expect(listen.ingestUrl).toMatch(new RegExp(`^${env.CARAVAN_GATEWAY}/ingest/[a-z0-9]+$`))
    expect(listen.stderr()).toContain(`started an embedded relay on ${env.CARAVAN_GATEWAY}`)

    const json = Buffer.from('{ "action" :"opened",\n  "zeta":1, "alpha" : [1, 2.50] }\n')
    const form = Buffer.from('payload=%7B%22a%22%3A1%7D&b=+x+&c=%E2%9C%93')
    const binary = Buffer.concat([Buffer.from([0xff, 0xfe, 0xc3, 0x28]), randomBytes(64 * 1024)])
    const sent: {method: string; suffix: string; headers: Record<string, string | string[]>; body: Buffer}[] = [
      {
        method: 'POST',
        suffix: '',
        headers: {
          'content-type': 'application/json',
          'X-GitHub-Event': 'pull_request',
          'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(json).digest('hex')}`,
          'X-Rep': ['a', 'b'],
        },
        body: json,
      },
      {
        method: 'PUT',
        suffix: '/sub/path?x=1&x=2&y=%20z',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          Connection: 'keep-alive',
          'Keep-Alive': 'timeout=5',
        },
        body: form,
      },
      {method: 'PATCH', suffix: '/bin', headers: {'content-type': 'application/octet-stream'}, body: binary},
    ]
    for (const s of sent) expect((await rawRequest(listen.ingestUrl, s)).status).toBe(200)

    const got = await app.waitFor(3)
    expect(got.map((r) => [r.method, r.url])).toEqual([
      ['POST', '/webhooks'],
      ['PUT', '/webhooks/sub/path?x=1&x=2&y=%20z'],
      ['PATCH', '/webhooks/bin'],
    ])
    got.forEach((r, i) => {
      expect(sha256(r.body), `request ${i}: body sha256`).toBe(sha256(sent[i].body))
      expect(r.headers['content-type']).toBe(sent[i].headers['content-type'])
      // Host is the app's; hop-by-hop headers of the original request are not forwarded.
      expect(r.headers.host).toBe(new URL(app.url).host)
      expect(r.headers['keep-alive']).toBeUndefined()
      expect(Number(r.headers['content-length'])).toBe(sent[i].body.length)
    })
    expect(githubSignatureValid(got[0], secret)).toBe(true)
    expect(got[0].headers['x-github-event']).toBe('pull_request')
    // A repeated header arrives as the same separate lines, in order.
    const lines0 = got[0].rawHeaders.flatMap((name, i, all) =>
      i % 2 === 0 && name.toLowerCase() === 'x-rep' ? [all[i + 1]] : [],
    )
    expect(lines0).toEqual(['a', 'b'])

    const lines = await listen.waitForLines(3)
    const records = lines.map((line) => JSON.parse(line))
    for (const [i, r] of records.entries()) {
      expect(Object.keys(r).sort(), `line ${i}`).toEqual(ATTEMPT_FIELDS)
      expect(r).toMatchObject({status: 200, attempt: 1, error: null, retrying: false, method: sent[i].method})
      expect(r.event_id).toMatch(/^[0-9A-Z]{26}$/)
      expect(typeof r.latency_ms).toBe('number')
      expect(Number.isNaN(Date.parse(r.time))).toBe(false)
    }
    expect(records.map((r) => [r.path, r.target, r.type])).toEqual([
      ['/webhooks', `${app.url}/webhooks`, ''],
      ['/webhooks/sub/path', `${app.url}/webhooks/sub/path?x=1&x=2&y=%20z`, ''],
      ['/webhooks/bin', `${app.url}/webhooks/bin`, ''],
    ])

    // Each attempt is recorded at the relay, with the method actually used.
    for (const r of records) {
      const [delivery] = (await api(`/eventdeliveries?eventId=${r.event_id}`)).content
      expect(delivery.uid).toBe(r.delivery_id)
      await until(
        async () => (await api(`/eventdeliveries/${r.delivery_id}`)).status === 'Success',
        `delivery ${r.delivery_id} Success`,
      )
      const attempts = await api(`/eventdeliveries/${r.delivery_id}/deliveryattempts`)
      expect(
        attempts.map((a: {method: string; url: string; http_status: string}) => [a.method, a.url, a.http_status]),
      ).toEqual([[r.method, r.target, '200']])
    }

    const result = await listen.stop('SIGINT')
    expect(result.code).toBe(0)
    // stdout carried the three NDJSON lines and nothing else.
    expect(result.stdout.trimEnd().split('\n')).toEqual(lines)
  })

  it('keeps events while the app is down and delivers them in order when it is back', async () => {
    const env = await embeddedEnv()
    const app = await startApp()
    await app.down()
    // `PORT/path` is the shortest way to name a local app.
    const listen = await startListen(['--forward', `${app.port}/hooks`], env)
    expect(listen.readyLine).toBe(`Ready! Forwarding ${listen.ingestUrl} -> http://localhost:${app.port}/hooks`)
    for (let n = 1; n <= 3; n++)
      expect(
        (await rawRequest(listen.ingestUrl, {body: `{"n":${n}}`, headers: {'content-type': 'application/json'}}))
          .status,
      ).toBe(200)
    await until(
      () => /\[ERROR\] connection refused — queued, retrying/.test(listen.stdout()),
      () => `the queued line\nstdout: ${listen.stdout()}\nstderr: ${listen.stderr()}`,
    )
    expect(listen.stderr()).toContain(`waiting for localhost:${app.port} to come back`)
    expect(app.requests).toHaveLength(0)

    await app.up()
    const got = await app.waitFor(3)
    expect(got.map((r) => r.body.toString())).toEqual(['{"n":1}', '{"n":2}', '{"n":3}'])
    const lines = await listen.waitForLines(4)
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}POST {3}\/hooks {2}- +[0-9A-Z]{26} {2}\[ERROR\] connection refused — queued, retrying$/,
    )
    expect(lines[1]).toMatch(/ {2}\[200\] \d+ ms \(attempt 2\)$/)
    expect(lines[2]).toMatch(/ {2}\[200\] \d+ ms$/)
    expect(lines[3]).toMatch(/ {2}\[200\] \d+ ms$/)
    // It says when the app is back (stderr, once).
    expect(listen.stderr().match(new RegExp(`localhost:${app.port} is back; delivering`, 'g'))).toHaveLength(1)
    // The first event's retry is the same event as its failure.
    const idOf = (line: string) => /([0-9A-Z]{26})/.exec(line)![1]
    expect(idOf(lines[1])).toBe(idOf(lines[0]))
    expect(new Set(lines.map(idOf)).size).toBe(3)
    // No line per probe during the outage, and every stdout line is an attempt line.
    expect(lines).toHaveLength(4)

    // Up but failing: a 5xx is retried (after a backoff) before the next event goes.
    app.reply = (req) =>
      req.body.toString() === '{"n":4}' && app.requests.length === 4 ? {status: 503, body: 'busy'} : {}
    for (const n of [4, 5]) expect((await rawRequest(listen.ingestUrl, {body: `{"n":${n}}`})).status).toBe(200)
    const after = await app.waitFor(6)
    expect(after.slice(3).map((r) => r.body.toString())).toEqual(['{"n":4}', '{"n":4}', '{"n":5}'])
    const more = await listen.waitForLines(7)
    expect(more[4]).toMatch(/ {2}\[503\] \d+ ms — retrying$/)
    expect(more[5]).toMatch(/ {2}\[200\] \d+ ms \(attempt 2\)$/)
    expect(more[6]).toMatch(/ {2}\[200\] \d+ ms$/)
    expect((await listen.stop()).code).toBe(0)
  })

  it('--events filters by type, -H adds headers, --path overrides the path; --print-url', async () => {
    const {env, api} = await embeddedSandbox()
    const app = await startApp()
    const listen = await startListen(
      [
        '--forward',
        `${app.url}/hooks`,
        '--source',
        'gh',
        '--events',
        'push',
        '-H',
        'X-Extra: 1',
        '-H',
        'Authorization: Bearer app-token',
        '--path',
        '/other',
      ],
      env,
    )
    // The Ready! line shows where events really go: --path replaces the target's path.
    expect(listen.readyLine).toBe(`Ready! Forwarding ${listen.ingestUrl} -> ${app.url}/other`)
    // Point the source at GitHub's event header (the source listen created has no preset).
    const [source] = (await api('/sources')).content
    expect(source.name).toBe('gh')
    await api(`/sources/${source.uid}`, 'PUT', {event_type_location: 'header.X-GitHub-Event'})

    // The last push is a marker: events are forwarded in order, so once it has arrived
    // anything the filter let through has arrived before it.
    for (const [type, t] of [
      ['pull_request', 'pull_request'],
      ['push', 'push'],
      ['issues', 'issues'],
      ['push', 'push'],
      ['push', 'last'],
    ]) {
      const res = await rawRequest(listen.ingestUrl, {
        suffix: '/ignored/suffix?q=1',
        headers: {'X-GitHub-Event': type},
        body: `{"t":"${t}"}`,
      })
      expect(res.status).toBe(200)
    }
    const got = await app.waitFor(3)
    expect(got.map((r) => r.body.toString())).toEqual(['{"t":"push"}', '{"t":"push"}', '{"t":"last"}'])
    for (const r of got) {
      expect(r.url).toBe('/other?q=1')
      expect(r.headers['x-github-event']).toBe('push')
      expect(r.headers['x-extra']).toBe('1')
      expect(r.headers.authorization).toBe('Bearer app-token')
    }
    const lines = await listen.waitForLines(3)
    expect(
      lines.every((l) => / {2}POST {3}\/other {2}push {10} [0-9A-Z]{26} {2}\[200\] \d+ ms$/.test(l)),
      lines.join('\n'),
    ).toBe(true)
    // The filtered-out events are stored all the same.
    const events = (await api('/events?source=gh')).content
    expect(events.map((e: {event_type: string}) => e.event_type).sort()).toEqual([
      'issues',
      'pull_request',
      'push',
      'push',
      'push',
    ])

    // --print-url: the ingest URL of a source, then exit.
    const printed = await runCli(['listen', '--print-url', '--source', 'gh'], {env})
    expect(printed).toMatchObject({code: 0, stdout: `${listen.ingestUrl}\n`})
    const missing = await runCli(['listen', '--print-url', '--source', 'nope'], {env})
    expect(missing.code).toBe(5)
    expect(missing.stderr).toMatch(/no source named "nope"/)
    await listen.stop()
  })
})

describe('caravan listen against a running relay (caravan server)', () => {
  it('delivers the backlog after a restart; --skip-backlog discards it', async () => {
    const sandbox = makeSandbox('caravan-listen-srv-')
    onTestFinished(() => sandbox.cleanup())
    const server = await startServerProcess(sandbox.env)
    onTestFinished(async () => void (await server.stop({graceMs: 2000})))
    const env = {...sandbox.env, CARAVAN_GATEWAY: server.url}
    const app = await startApp()
    const send = async (n: number) => {
      const res = await rawRequest(ingestUrl, {body: `{"n":${n}}`, headers: {'content-type': 'application/json'}})
      expect(res.status).toBe(200)
      return res.headers['x-caravan-event-id'] as string
    }

    let listen = await startListen(['--forward', `${app.url}/hooks`], env)
    const ingestUrl = listen.ingestUrl
    expect(ingestUrl.startsWith(`${server.url}/ingest/`)).toBe(true)
    expect(listen.stderr()).not.toContain('embedded relay')
    await send(1)
    await app.waitFor(1)
    await listen.waitForLines(1)
    expect((await listen.stop('SIGINT')).code).toBe(0)

    // Nobody listening: the relay keeps what arrives.
    await send(2)
    await send(3)
    listen = await startListen(['--forward', `${app.url}/hooks`], env)
    expect(listen.stderr()).toContain('2 event(s) waiting from before; delivering them first')
    expect((await app.waitFor(3)).map((r) => r.body.toString())).toEqual(['{"n":1}', '{"n":2}', '{"n":3}'])
    await listen.waitForLines(2)
    expect((await listen.stop('SIGTERM')).code).toBe(0)

    const skipped = [await send(4), await send(5)]
    listen = await startListen(['--forward', `${app.url}/hooks`, '--skip-backlog'], env)
    expect(listen.stderr()).not.toContain('waiting from before')
    await send(6)
    // In order: the skipped events would have arrived before {"n":6}.
    await app.waitFor(4)
    expect(app.requests.map((r) => r.body.toString())).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":6}'])
    for (const id of skipped) {
      const res = await fetch(`${server.url}/api/v1/projects/${server.projectId}/eventdeliveries?eventId=${id}`, {
        headers: {authorization: `Bearer ${server.apiKey}`},
      })
      const deliveries = ((await res.json()) as {data: {content: {status: string; description: string}[]}}).data.content
      expect(deliveries.map((d) => [d.status, d.description])).toEqual([
        ['Discarded', 'skipped: listen --skip-backlog'],
      ])
    }
    await listen.stop()
    // The relay is still up and serving after all of it.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
  })
})

describe('bad input', () => {
  it('a --forward that is not a URL: clear error, exit 8, no relay started', async () => {
    const env = await embeddedEnv()
    for (const args of [
      ['--forward', 'ht!tp://'],
      ['--forward', 'ftp://files.local', '--json'],
    ]) {
      const result = await runCli(['listen', ...args], {env})
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(8)
      expect(result.stdout, args.join(' ')).toBe('')
      expect(result.stderr, args.join(' ')).toMatch(/^Error: --forward: /)
      expect(result.stderr).not.toContain('embedded relay')
    }
  })

  it('the gateway port is held by something that is not a relay: clear error with the fix', async () => {
    const env = await embeddedEnv()
    const sockets = new Set<Socket>()
    const squatter = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => {})
      socket.end('SSH-2.0-not-a-relay\r\n')
    })
    await new Promise<void>((resolve) =>
      squatter.listen(Number(new URL(env.CARAVAN_GATEWAY!).port), '127.0.0.1', resolve),
    )
    onTestFinished(() => {
      for (const socket of sockets) socket.destroy()
      squatter.close()
    })
    const result = await runCli(['listen', '--forward', '3000'], {env})
    expect(result.code, result.stderr).toBe(9)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^Error: port \d+ on 127\.0\.0\.1 is used by something that is not a Caravan relay/)
    expect(result.stderr).toMatch(
      /Hint: stop it, or use another port: caravan server --port \d+, or CARAVAN_GATEWAY=http:\/\/127\.0\.0\.1:\d+/,
    )
  })

  it("an app of the user's on the gateway port that answers /healthz is not taken for a relay: exit 9", async () => {
    const env = await embeddedEnv()
    const squatter = createHttpServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? 200 : 404)
      res.end(req.url === '/healthz' ? 'ok' : 'not found')
    })
    await new Promise<void>((resolve) =>
      squatter.listen(Number(new URL(env.CARAVAN_GATEWAY!).port), '127.0.0.1', resolve),
    )
    onTestFinished(() => {
      squatter.closeAllConnections()
      squatter.close()
    })
    const result = await runCli(['listen', '--forward', '3000'], {env})
    expect(result.code, result.stderr).toBe(9)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(
      /^Error: port \d+ on 127\.0\.0\.1 is used by something that is not a Caravan relay \(http:\/\/127\.0\.0\.1:\d+\/healthz: HTTP 200 from \/healthz, but not a Caravan relay's answer\)/,
    )
  })
})
