import {copyFileSync, mkdirSync, readFileSync, statSync} from 'node:fs'
import {createServer as createHttpServer} from 'node:http'
import type {AddressInfo} from 'node:net'

import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest'

import {
  ANSI,
  assertBuilt,
  type Env,
  type RunOptions,
  closedPort,
  killAll,
  makeSandbox,
  readProfiles,
  runCli,
  runJson,
  type Sandbox,
  type ServerProcess,
  startServerProcess,
} from '../helpers/cli.js'
import {waitFor} from '../helpers/delivery.js'

// Integration tier: every test spawns the built bin/run.js and checks what a user or a CI
// script sees — exit code, stdout, stderr. Each describe block owns one relay and one
// sandbox; nothing is shared across blocks or files.

// Each spawn costs ~0.5 s (more on a busy machine); tests run several in sequence.
const SLOW = {timeout: 90_000}

// Whatever happens below, no relay or CLI child outlives this file.
afterAll(() => killAll())

// A missing build must show up as a failed test, not only as skipped ones after a failed hook.
it('runs against the built CLI (npm run build first)', () => expect(assertBuilt).not.toThrow())

/** Where a new delivery to an address nothing listens on can be: never Success, Failure or Discarded yet. */
const FRESH_DELIVERY_STATUSES = ['Scheduled', 'Processing', 'Retry']

/** Output split into lines, without the final newline. */
const lines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'))

/** The relay lived through its block and SIGTERM stops it with exit 0. */
async function expectStopsCleanly(server: ServerProcess | undefined): Promise<void> {
  if (!server) return // it never started; beforeAll has already failed
  const wasRunning = server.running()
  const stopped = await server.stop()
  expect(
    wasRunning,
    `the relay exited before the end of its block (code ${stopped.code}, signal ${stopped.signal}):\n${stopped.stderr}`,
  ).toBe(true)
  expect(stopped.code, stopped.stderr).toBe(0)
}

/** A runner bound to one sandbox's env. */
function bind(sandbox: () => Sandbox) {
  const withEnv = (opts: RunOptions = {}): RunOptions => ({...opts, env: {...sandbox().env, ...opts.env}})
  return {
    cli: (args: string[], opts?: RunOptions) => runCli(args, withEnv(opts)),
    json: (args: string[], opts?: RunOptions) => runJson(args, withEnv(opts)),
  }
}

describe('a tour of the CLI against one relay', SLOW, () => {
  let sandbox: Sandbox
  let server: ServerProcess
  let deadUrl: string
  const {cli, json} = bind(() => sandbox)
  const ids = {endpoint: '', subscription: '', source: '', event: '', unmatchedEvent: '', delivery: '', project2: ''}

  beforeAll(async () => {
    sandbox = makeSandbox()
    server = await startServerProcess(sandbox.env)
    // Deliveries go to a port where nothing listens, so they can never succeed whatever
    // the dispatcher does with them.
    deadUrl = `http://127.0.0.1:${await closedPort()}/hooks`
    // ...and a refused one waits an hour for its retry, so what the tour reads stays put.
    const res = await fetch(`${server.url}/api/v1/projects/${server.projectId}`, {
      method: 'PUT',
      headers: {authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json'},
      body: JSON.stringify({config: {strategy: {type: 'linear', duration: 3600, retry_count: 10}}}),
    })
    if (res.status !== 202) throw new Error(`configuring the project: ${res.status} ${await res.text()}`)
  })

  afterAll(async () => {
    await expectStopsCleanly(server)
    sandbox?.cleanup()
  })

  it('server writes the local profile (mode 0600) so later commands need no flags', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.dataDir).toBe(sandbox.dataDir)
    expect(server.apiKey).toMatch(/\S{16,}/)
    const config = readProfiles(sandbox.configFile)
    expect(config.current).toBe('local')
    expect(config.profiles.local).toEqual({gateway: server.url, apiKey: server.apiKey, project: server.projectId})
    expect(statSync(sandbox.configFile).mode & 0o777).toBe(0o600)
  })

  it('projects list --json shows the default project', async () => {
    const projects = await json(['projects', 'list', '--json'])
    expect(projects.map((p: {uid: string}) => p.uid)).toEqual([server.projectId])
    expect(projects[0]).toMatchObject({name: 'default', type: 'outgoing'})
  })

  it('endpoints create --json: pure JSON on stdout, nothing on stderr', async () => {
    const result = await cli(['endpoints', 'create', '--name', 'billing', '--url', deadUrl, '--json'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    const endpoint = JSON.parse(result.stdout)
    expect(endpoint).toMatchObject({name: 'billing', url: deadUrl, status: 'active', project_id: server.projectId})
    expect(endpoint.uid).toMatch(/\S+/)
    ids.endpoint = endpoint.uid
  })

  it('endpoints list prints an aligned table, with no ANSI escapes under NO_COLOR', async () => {
    // FORCE_COLOR too: NO_COLOR must still win.
    const result = await cli(['endpoints', 'list'], {env: {FORCE_COLOR: '1'}})
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).not.toMatch(ANSI)
    const [header, row, ...rest] = lines(result.stdout)
    expect(rest).toEqual([])
    expect(header).toMatch(/^ID {2,}NAME {2,}URL {2,}STATUS {2,}CREATED$/)
    // Each value starts in its header's column.
    expect(row.startsWith(ids.endpoint)).toBe(true)
    expect(row.indexOf('billing')).toBe(header.indexOf('NAME'))
    expect(row.indexOf(deadUrl)).toBe(header.indexOf('URL'))
    expect(row.indexOf('active')).toBe(header.indexOf('STATUS'))
  })

  it('subscriptions create routes event types to the endpoint', async () => {
    const sub = await json([
      'subscriptions',
      'create',
      '--name',
      'all-billing',
      '--endpoint',
      ids.endpoint,
      '--event-types',
      'invoice.*,charge.succeeded',
      '--json',
    ])
    expect(sub).toMatchObject({name: 'all-billing', endpoint_id: ids.endpoint})
    expect(sub.filter_config.event_types).toEqual(['invoice.*', 'charge.succeeded'])
    ids.subscription = sub.uid
  })

  it('sources create prints the ingest URL', async () => {
    const result = await cli(['sources', 'create', '--name', 'github', '--verifier', 'github', '--secret', 's3cr3t'])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    expect(result.stdout).not.toMatch(ANSI)
    const ingest = lines(result.stdout).at(-1)
    expect(ingest).toMatch(new RegExp(`^Ingest URL: ${server.url}/ingest/\\S+$`))
    const sources = await json(['sources', 'list', '--json'])
    expect(sources.content).toHaveLength(1)
    expect(sources.content[0]).toMatchObject({name: 'github', provider: 'github'})
    expect(ingest).toBe(`Ingest URL: ${sources.content[0].url}`)
    ids.source = sources.content[0].uid
  })

  it('events send of a matching type creates one delivery', async () => {
    const result = await cli([
      'events',
      'send',
      '--type',
      'invoice.paid',
      '--data',
      '{"id":"in_1","amount":100}',
      '--json',
    ])
    expect(result.code).toBe(0)
    expect(result.stderr).toBe('')
    const event = JSON.parse(result.stdout)
    expect(event).toMatchObject({
      event_type: 'invoice.paid',
      data: {id: 'in_1', amount: 100},
      endpoints: [ids.endpoint],
    })
    ids.event = event.uid
    const deliveries = await json(['deliveries', 'list', '--event', ids.event, '--json'])
    expect(deliveries.content).toHaveLength(1)
    expect(deliveries.content[0]).toMatchObject({
      event_id: ids.event,
      endpoint_id: ids.endpoint,
      event_type: 'invoice.paid',
    })
    expect(FRESH_DELIVERY_STATUSES).toContain(deliveries.content[0].status)
    ids.delivery = deliveries.content[0].uid
  })

  it('events send of a non-matching type creates no delivery', async () => {
    const event = await json(['events', 'send', '--type', 'user.created', '--data', '{"id":"u_1"}', '--json'])
    expect(event).toMatchObject({event_type: 'user.created', endpoints: []})
    ids.unmatchedEvent = event.uid
    const deliveries = await json(['deliveries', 'list', '--event', ids.unmatchedEvent, '--json'])
    expect(deliveries.content).toEqual([])
  })

  it('events send --data - reads the payload from stdin', async () => {
    const event = await json(['events', 'send', '--type', 'charge.succeeded', '--data', '-', '--json'], {
      input: '{"id":"ch_1"}',
    })
    expect(event).toMatchObject({event_type: 'charge.succeeded', data: {id: 'ch_1'}, endpoints: [ids.endpoint]})
  })

  it('events list and events get', async () => {
    const [list, filtered, event] = await Promise.all([
      json(['events', 'list', '--json']),
      json(['events', 'list', '--type', 'invoice.paid', '--json']),
      json(['events', 'get', ids.event, '--json']),
    ])
    expect(list.content.map((e: {event_type: string}) => e.event_type)).toEqual([
      'charge.succeeded',
      'user.created',
      'invoice.paid',
    ])
    expect(list.pagination).toMatchObject({has_next_page: false})
    expect(filtered.content.map((e: {uid: string}) => e.uid)).toEqual([ids.event])
    expect(event).toMatchObject({uid: ids.event, event_type: 'invoice.paid', data: {id: 'in_1', amount: 100}})
  })

  it('deliveries list --status filters, deliveries get and attempts', async () => {
    // The first attempt goes out at once and is refused (nothing listens at deadUrl); the
    // delivery then waits an hour in Retry.
    await waitFor(
      async () => {
        const res = await fetch(`${server.url}/api/v1/projects/${server.projectId}/eventdeliveries/${ids.delivery}`, {
          headers: {authorization: `Bearer ${server.apiKey}`},
        })
        return ((await res.json()) as {data: {status: string}}).data.status === 'Retry'
      },
      {timeoutMs: 15_000, what: 'the first attempt of the delivery to be refused'},
    )
    const [retrying, scheduled, delivery, attempts, human] = await Promise.all([
      json(['deliveries', 'list', '--status', 'Retry', '--json']),
      json(['deliveries', 'list', '--status', 'Scheduled', '--json']),
      json(['deliveries', 'get', ids.delivery, '--json']),
      json(['deliveries', 'attempts', ids.delivery, '--json']),
      cli(['deliveries', 'list']),
    ])
    // The stdin event's delivery goes the same way, possibly a moment later.
    expect(retrying.content.map((d: {uid: string}) => d.uid)).toContain(ids.delivery)
    for (const d of retrying.content) expect(d.status).toBe('Retry')
    expect(scheduled.content.map((d: {uid: string}) => d.uid)).not.toContain(ids.delivery)
    for (const d of scheduled.content) expect(d.status).toBe('Scheduled')

    expect(delivery).toMatchObject({
      uid: ids.delivery,
      event_id: ids.event,
      endpoint_id: ids.endpoint,
      status: 'Retry',
      metadata: {num_trials: 1},
    })

    expect(attempts).toHaveLength(1)
    expect(attempts[0]).toMatchObject({
      msg_id: ids.delivery,
      http_status: '',
      error: 'connection refused',
      status: false,
    })

    expect(human.code).toBe(0)
    expect(human.stderr).toBe('')
    expect(lines(human.stdout)[0]).toMatch(/^ID {2,}EVENT TYPE {2,}ENDPOINT {2,}STATUS {2,}ATTEMPTS {2,}CREATED$/)
  })

  it('endpoints update, pause (get shows paused) and activate', async () => {
    const updated = await json(['endpoints', 'update', ids.endpoint, '--name', 'billing-v2', '--json'])
    expect(updated).toMatchObject({uid: ids.endpoint, name: 'billing-v2', url: deadUrl})

    const paused = await cli(['endpoints', 'pause', ids.endpoint])
    expect(paused.code).toBe(0)
    expect(paused.stderr).toBe('')
    expect(paused.stdout).toMatch(/^status +paused$/m)
    expect((await json(['endpoints', 'get', ids.endpoint, '--json'])).status).toBe('paused')
    // Pausing twice must not toggle it back (Convoy's route toggles).
    expect((await json(['endpoints', 'pause', ids.endpoint, '--json'])).status).toBe('paused')

    expect((await json(['endpoints', 'activate', ids.endpoint, '--json'])).status).toBe('active')
    expect((await json(['endpoints', 'get', ids.endpoint, '--json'])).status).toBe('active')
  })

  it('subscriptions update and delete', async () => {
    const sub = await json(['subscriptions', 'update', ids.subscription, '--event-types', 'invoice.paid', '--json'])
    expect(sub.filter_config.event_types).toEqual(['invoice.paid'])
    const deleted = await cli(['subscriptions', 'delete', ids.subscription])
    expect(deleted).toMatchObject({code: 0, stdout: `Deleted subscription ${ids.subscription}\n`, stderr: ''})
    expect((await cli(['subscriptions', 'get', ids.subscription])).code).toBe(5)
  })

  it('sources update and delete', async () => {
    expect(await json(['sources', 'update', ids.source, '--name', 'gh', '--json'])).toMatchObject({
      uid: ids.source,
      name: 'gh',
      provider: 'github',
    })
    expect(await json(['sources', 'delete', ids.source, '--json'])).toEqual({deleted: ids.source})
    expect((await cli(['sources', 'get', ids.source])).code).toBe(5)
  })

  it('endpoints delete; the endpoint is then unknown', async () => {
    expect(await json(['endpoints', 'delete', ids.endpoint, '--json'])).toEqual({deleted: ids.endpoint})
    const gone = await cli(['endpoints', 'get', ids.endpoint, '--json'])
    expect(gone.code).toBe(5)
    expect(gone.stdout).toBe('')
  })

  it('projects create and projects use switch the current project; status --json shows it', async () => {
    const created = await json(['projects', 'create', '--name', 'p2', '--json'])
    expect(created.project).toMatchObject({name: 'p2', type: 'outgoing'})
    expect(created.api_key.key).toMatch(/\S+/)
    ids.project2 = created.project.uid

    const use = await cli(['projects', 'use', ids.project2])
    expect(use).toMatchObject({
      code: 0,
      stdout: `Now using project p2 (${ids.project2}) in profile local\n`,
      stderr: '',
    })
    expect(readProfiles(sandbox.configFile).profiles.local.project).toBe(ids.project2)

    const [status, endpoints] = await Promise.all([json(['status', '--json']), json(['endpoints', 'list', '--json'])])
    expect(status).toMatchObject({
      profile: 'local',
      gateway: server.url,
      project: ids.project2,
      reachable: true,
      api_key: 'set',
      error: null,
    })
    // Later commands act on the new project, which is empty.
    expect(endpoints.content).toEqual([])
  })
})

describe('error paths: exit codes and messages', SLOW, () => {
  let sandbox: Sandbox
  let server: ServerProcess
  const extra: Sandbox[] = []
  const {cli} = bind(() => sandbox)

  /** Another sandbox, for tests that need their own config or data dir. */
  const fresh = (): Sandbox => {
    const s = makeSandbox()
    extra.push(s)
    return s
  }

  beforeAll(async () => {
    sandbox = makeSandbox()
    server = await startServerProcess(sandbox.env)
  })

  afterAll(async () => {
    await expectStopsCleanly(server)
    for (const s of [sandbox, ...extra]) s?.cleanup()
  })

  it('status against an app that answers /healthz: "not a gateway", exit 7, also under --json', async () => {
    const app = createHttpServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? 200 : 404)
      res.end(req.url === '/healthz' ? 'ok' : 'not found')
    })
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve))
    onTestFinished(() => {
      app.closeAllConnections()
      app.close()
    })
    const env: Env = {...fresh().env, CARAVAN_GATEWAY: `http://127.0.0.1:${(app.address() as AddressInfo).port}`}
    const [human, json] = await Promise.all([runCli(['status'], {env}), runCli(['status', '--json'], {env})])
    expect(human.code).toBe(7)
    expect(human.stdout).toMatch(
      /^status +not a gateway \(HTTP 200 from \/healthz, but not a Caravan relay's answer\)$/m,
    )
    expect(human.stderr).toMatch(/^port \d+ on 127\.0\.0\.1 is used by something that is not a Caravan relay/)
    expect(human.stderr).toMatch(/\nHint: stop it, or use another port: caravan server --port \d+/)
    expect(json.code).toBe(7)
    expect(JSON.parse(json.stdout)).toMatchObject({reachable: false, caravan: null})
  })

  it('gateway down: exit 3, one Error line and a Hint naming caravan server, stdout empty (also under --json)', async () => {
    const port = await closedPort()
    const env: Env = {
      ...fresh().env,
      CARAVAN_GATEWAY: `http://127.0.0.1:${port}`,
      CARAVAN_API_KEY: 'k',
      CARAVAN_PROJECT: 'p',
    }
    const cases = [
      ['endpoints', 'list'],
      ['events', 'send', '--type', 'a.b', '--data', '{}', '--json'],
    ]
    const [status, ...results] = await Promise.all([
      runCli(['status', '--json'], {env}),
      ...cases.map((args) => runCli(args, {env})),
    ])
    for (const [i, result] of results.entries()) {
      expect(result.code, cases[i].join(' ')).toBe(3)
      expect(result.stdout).toBe('')
      const [error, hint, ...rest] = lines(result.stderr)
      expect(error).toMatch(new RegExp(`^Error: the gateway at http://127\\.0\\.0\\.1:${port} is not reachable`))
      expect(hint).toMatch(/^Hint: .*caravan server/)
      expect(rest).toEqual([])
      expect(result.stderr).not.toMatch(ANSI)
    }
    // status --json still reports, on stdout, and exits 3 so scripts can wait for the gateway.
    expect(status.code).toBe(3)
    expect(status.stderr).toBe('')
    expect(JSON.parse(status.stdout)).toMatchObject({
      reachable: false,
      gateway: `http://127.0.0.1:${port}`,
      gateway_from: 'env CARAVAN_GATEWAY',
    })
  })

  it('wrong API key: exit 4', async () => {
    const result = await cli(['endpoints', 'list', '--json'], {env: {CARAVAN_API_KEY: 'not-the-key'}})
    expect(result.code).toBe(4)
    expect(result.stdout).toBe('')
    expect(lines(result.stderr)[0]).toMatch(/^Error: the gateway refused the API key/)
    expect(lines(result.stderr)[1]).toMatch(/^Hint: /)
  })

  it('unknown id: exit 5', async () => {
    const cases = [
      ['endpoints', 'get', 'ep_nope'],
      ['deliveries', 'get', 'd_nope', '--json'],
    ]
    for (const [i, result] of (await Promise.all(cases.map((args) => cli(args)))).entries()) {
      expect(result.code, cases[i].join(' ')).toBe(5)
      expect(result.stdout).toBe('')
      expect(lines(result.stderr)).toHaveLength(1)
      expect(result.stderr).toMatch(/^Error: .*not found/)
    }
  })

  it('bad input rejected by the gateway: exit 6 naming the field', async () => {
    const result = await cli(['endpoints', 'create', '--name', 'x', '--url', 'not-a-url', '--json'])
    expect(result.code).toBe(6)
    expect(result.stdout).toBe('')
    expect(lines(result.stderr)).toHaveLength(1)
    expect(result.stderr).toMatch(/^Error: .*\burl\b/)
  })

  it('usage errors: unknown flag, unknown command, missing flag, bad --data JSON exit 2 with nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [['endpoints', 'list', '--bogus', '--json'], /Nonexistent flag: --bogus/],
      [['nosuch'], /^Error: "nosuch" is not a caravan command\n/],
      [['endpoints', 'create', '--name', 'x'], /Missing required flag url/],
      [
        ['endpoints', 'get'],
        /^Error: Missing 1 required arg: id \(endpoint ID\)\nHint: see caravan endpoints get --help\n$/,
      ],
      [['events', 'send', '--type', 'a.b', '--data', '{bad', '--json'], /--data is not valid JSON/],
      [['deliveries', 'list', '--status', 'Nope'], /--status/],
    ]
    const results = await Promise.all(cases.map(([args]) => cli(args)))
    for (const [i, result] of results.entries()) {
      const [args, message] = cases[i]
      expect(result.code, args.join(' ')).toBe(2)
      expect(result.stdout, args.join(' ')).toBe('')
      expect(result.stderr).toMatch(message)
    }
  })

  it('no project selected (empty config dir, gateway up): exit 8 with a hint', async () => {
    const env = {...fresh().env, CARAVAN_GATEWAY: server.url, CARAVAN_API_KEY: server.apiKey}
    const cases = [
      ['endpoints', 'list'],
      ['events', 'send', '--type', 'a.b', '--data', '{}', '--json'],
    ]
    for (const [i, result] of (await Promise.all(cases.map((args) => runCli(args, {env})))).entries()) {
      expect(result.code, cases[i].join(' ')).toBe(8)
      expect(result.stdout).toBe('')
      expect(lines(result.stderr)).toEqual([
        expect.stringMatching(/^Error: no project selected/),
        expect.stringMatching(/^Hint: .*caravan projects use/),
      ])
    }
  })

  it('server on a port already in use: exit 9 with a clear message and hint', async () => {
    const result = await runCli(['server', '--port', String(server.port), '--json'], {env: fresh().env})
    expect(result.code).toBe(9)
    expect(result.stdout).toBe('')
    expect(lines(result.stderr)).toEqual([
      `Error: a Caravan relay already runs on port ${server.port} (http://127.0.0.1:${server.port})`,
      expect.stringMatching(
        /^Hint: use it \(caravan status shows it\), or start another one: caravan server --port \d+$/,
      ),
    ])
  })

  it('login with a wrong key: exit 4 and nothing saved', async () => {
    const s = fresh()
    mkdirSync(s.configDir, {recursive: true})
    copyFileSync(sandbox.configFile, s.configFile)
    const before = readFileSync(s.configFile, 'utf8')
    const result = await runCli(['login', '--gateway', server.url, '--api-key', 'wrong-key', '--profile', 'ci'], {
      env: s.env,
    })
    expect(result.code).toBe(4)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/^Error: the gateway refused the API key/)
    expect(readFileSync(s.configFile, 'utf8')).toBe(before)
  })

  it('login saves and selects a profile; logout goes back to the local relay', async () => {
    const s = fresh()
    mkdirSync(s.configDir, {recursive: true})
    copyFileSync(sandbox.configFile, s.configFile)
    // Same relay, spelt differently, so the saved gateway is told apart from the local one.
    const remote = server.url.replace('127.0.0.1', 'localhost')
    const login = await runCli(
      [
        'login',
        '--gateway',
        remote,
        '--api-key',
        server.apiKey,
        '--project',
        server.projectId,
        '--profile',
        'ci',
        '--json',
      ],
      {env: s.env},
    )
    expect(login.code).toBe(0)
    expect(login.stderr).toBe('')
    expect(JSON.parse(login.stdout)).toEqual({profile: 'ci', gateway: remote, project: server.projectId})
    expect(statSync(s.configFile).mode & 0o777).toBe(0o600)

    const status = await runJson(['status', '--json'], {env: s.env})
    expect(status).toMatchObject({
      profile: 'ci',
      gateway: remote,
      gateway_from: 'profile ci',
      project: server.projectId,
      reachable: true,
    })

    const logout = await runCli(['logout'], {env: s.env})
    expect(logout).toMatchObject({
      code: 0,
      stdout: 'Logged out of profile "ci"; now using the local relay\n',
      stderr: '',
    })
    const after = await runJson(['status', '--json'], {env: s.env})
    expect(after).toMatchObject({profile: 'local', gateway: server.url, reachable: true})
    expect(readProfiles(s.configFile).profiles.ci).toBeUndefined()
  })
})

describe('server lifecycle', SLOW, () => {
  let sandbox: Sandbox
  const servers: ServerProcess[] = []

  beforeAll(() => {
    sandbox = makeSandbox()
  })

  afterAll(async () => {
    for (const s of servers) await s.stop({graceMs: 2000})
    sandbox?.cleanup()
  })

  it('SIGTERM exits 0 saying "stopped"; data and the admin key survive a restart', async () => {
    const first = await startServerProcess(sandbox.env)
    servers.push(first)
    const endpoint = await runJson(
      ['endpoints', 'create', '--name', 'keep-me', '--url', 'http://127.0.0.1:9/hooks', '--json'],
      {env: sandbox.env},
    )

    const stopped = await first.stop()
    expect(stopped.code).toBe(0)
    expect(stopped.stderr).toMatch(/stopped/)
    // --json: stdout holds the one JSON line and nothing else.
    expect(lines(stopped.stdout)).toHaveLength(1)
    expect(JSON.parse(stopped.stdout)).toEqual({
      url: first.url,
      data_dir: sandbox.dataDir,
      project_id: first.projectId,
      api_key: first.apiKey,
    })

    const second = await startServerProcess(sandbox.env)
    servers.push(second)
    expect(second.apiKey).toBe(first.apiKey)
    expect(second.projectId).toBe(first.projectId)
    // The profile follows the new port, so no flags are needed.
    expect(readProfiles(sandbox.configFile).profiles.local.gateway).toBe(second.url)
    const again = await runJson(['endpoints', 'get', endpoint.uid, '--json'], {env: sandbox.env})
    expect(again).toMatchObject({uid: endpoint.uid, name: 'keep-me'})
    expect((await second.stop()).code).toBe(0)
  })
})
