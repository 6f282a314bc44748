import {writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, describe, expect, it, onTestFinished} from 'vitest'

import {killAll, makeSandbox, runCli} from '../helpers/cli.js'
import {startSink, waitFor} from '../helpers/delivery.js'
import {createEndpoint, createSubscription, sendEvent} from '../helpers/fixtures.js'
import {useRelay, type TestRelayOptions} from '../helpers/relay.js'

// Spawns the built bin/run.js (npm run build first) against an in-process relay: one or two
// runs per command of issue 14; the behaviour itself is tested over the API.
const SLOW = {timeout: 60_000}
afterAll(() => killAll())

async function setUp(options: TestRelayOptions = {deliver: false}) {
  const t = await useRelay(options)
  const sandbox = makeSandbox()
  onTestFinished(() => sandbox.cleanup())
  const flags = ['--gateway', t.url, '--api-key', t.key, '--project', t.projectId]
  const cli = (args: string[], stdin?: string) => runCli([...args, ...flags], {env: sandbox.env, input: stdin})
  return {...t, cli, sandbox}
}

describe('issue 14 commands', SLOW, () => {
  it('caravan subscriptions test-filter says match / no match, and JSON with --json', async () => {
    const {cli} = await setUp()
    const yes = await cli([
      'subscriptions',
      'test-filter',
      '--data',
      '{"amount":1500}',
      '--filter',
      '{"amount":{"$gte":1000}}',
    ])
    expect(yes).toMatchObject({code: 0, stdout: 'match\n'})
    const no = await cli([
      'subscriptions',
      'test-filter',
      '--data',
      '{"amount":5}',
      '--filter',
      '{"amount":{"$gte":1000}}',
      '--json',
    ])
    expect(no.code).toBe(0)
    expect(JSON.parse(no.stdout)).toEqual({match: false})
    const bad = await cli(['subscriptions', 'test-filter', '--data', '{}', '--filter', '{"a":{"$nope":1}}'])
    expect(bad.code).toBe(6)
    expect(bad.stderr).toMatch(/\$nope/)
  })

  it('caravan meta-events list, get and resend', async () => {
    const meta = await startSink()
    onTestFinished(() => meta.close())
    const t = await setUp({})
    const project = (await t.api('GET', t.p())).json.data
    await t.api('PUT', t.p(), {
      name: project.name,
      config: {
        ...project.config,
        meta_event: {is_enabled: true, type: 'http', url: meta.url, secret: 's', event_type: []},
      },
    })
    const endpointId = await createEndpoint(t)
    await createSubscription(t, endpointId)
    await sendEvent(t, 'endpoint', {endpoint_id: endpointId, event_type: 'a', data: {}})
    await meta.waitForRequests(1)
    const id = await waitFor(async () => (await t.api('GET', t.p('/meta-events'))).json.data.content[0]?.uid)

    const list = await t.cli(['meta-events', 'list'])
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+eventdelivery\\.success\\s+Success\\s+1`))
    const got = await t.cli(['meta-events', 'get', id, '--json'])
    expect(JSON.parse(got.stdout)).toMatchObject({uid: id, event_type: 'eventdelivery.success'})
    const resent = await t.cli(['meta-events', 'resend', id, '--json'])
    expect(resent.code, resent.stderr).toBe(0)
    expect(JSON.parse(resent.stdout)).toMatchObject({uid: id, status: 'Success', metadata: {num_trials: 2}})
    expect(meta.requests).toHaveLength(2)
    const missing = await t.cli(['meta-events', 'get', '01JZZZZZZZZZZZZZZZZZZZZZZZ'])
    expect(missing.code).toBe(5)
  })

  it('caravan endpoints import: 1,000 endpoints from a CSV file, then again (all skipped), and bad rows', async () => {
    const t = await setUp()
    const csv = ['name,url,event_type']
    for (let i = 0; i < 1000; i++) csv.push(`ep-${i},${t.receiver.url}/hooks/${i},"order.*"`)
    const file = join(t.sandbox.dir, 'endpoints.csv')
    writeFileSync(file, csv.join('\n') + '\n')

    const first = await t.cli(['endpoints', 'import', file])
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toBe('Created 1000 of 1000 endpoint(s), skipped 0\n')
    // No terminal: no progress bar.
    expect(first.stderr).toBe('')
    const count = (table: string) =>
      (t.relay.db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE deleted_at IS NULL`).get() as {n: number}).n
    expect(count('endpoints')).toBe(1000)
    expect(count('subscriptions')).toBe(1000)

    const again = await t.cli(['endpoints', 'import', file, '--json'])
    expect(again.code, again.stderr).toBe(0)
    const summary = JSON.parse(again.stdout)
    expect(summary).toMatchObject({total: 1000, created: 0, dry_run: false})
    expect(summary.skipped).toHaveLength(1000)
    expect(summary.skipped[0]).toEqual({
      line: 2,
      field: 'url',
      message: `url: an endpoint for ${t.receiver.url}/hooks/0 exists already`,
    })

    const bad = join(t.sandbox.dir, 'bad.ndjson')
    writeFileSync(bad, `{"name":"ok","url":"${t.receiver.url}/ok"}\n{"name":"x","url":"ftp://x"}\n`)
    const mixed = await t.cli(['endpoints', 'import', bad, '--dry-run'])
    expect(mixed.code).toBe(6)
    expect(mixed.stdout).toBe(
      'Would create 1 of 2 endpoint(s), skipped 1:\n  line 2: url must be an http or https URL (got "ftp:")\n',
    )
    expect(count('endpoints')).toBe(1000)
  })

  it('caravan subscriptions test-function prints the result, logs on stderr, and names why a function failed', async () => {
    const {cli, sandbox} = await setUp()
    const fn = join(sandbox.dir, 'transform.js')
    writeFileSync(fn, 'function transform(p) { console.log("amount", p.amount); return {cents: p.amount * 100} }')
    const ok = await cli(['subscriptions', 'test-function', '--payload', '{"amount":12}', '--function', `@${fn}`])
    expect(ok).toMatchObject({code: 0, stdout: '{\n  "cents": 1200\n}\n', stderr: 'log: amount 12\n'})
    const json = await cli([
      'subscriptions',
      'test-function',
      '--payload',
      '{}',
      '--function',
      'function transform(p) { return p }',
      '--json',
    ])
    expect(JSON.parse(json.stdout)).toEqual({payload: {}, log: []})
    const loops = await cli([
      'subscriptions',
      'test-function',
      '--payload',
      '{}',
      '--function',
      'function transform() { for (;;) {} }',
    ])
    expect(loops.code).toBe(6)
    expect(loops.stderr).toMatch(/function failed: the function ran longer than 100 ms and was stopped/)
  })

  it('caravan portal-links create (showing the portal URL once), list, get and revoke', async () => {
    const t = await setUp()
    await createEndpoint(t, {owner_id: 'acme'})
    const created = await t.cli(['portal-links', 'create', '--name', 'Acme', '--owner', 'acme'])
    expect(created.code, created.stderr).toBe(0)
    expect(created.stdout).toMatch(/Portal URL \(shown once\): http:\/\/127\.0\.0\.1:\d+\/portal\/#key=PRT\./)
    const [link] = (await t.api('GET', t.p('/portal-links'))).json.data.content
    const list = await t.cli(['portal-links', 'list'])
    expect(list.stdout).toMatch(new RegExp(`${link.uid}\\s+Acme\\s+acme\\s+1`))
    expect(JSON.parse((await t.cli(['portal-links', 'get', link.uid, '--json'])).stdout)).toMatchObject({
      uid: link.uid,
      url: '',
    })
    expect(await t.cli(['portal-links', 'revoke', link.uid])).toMatchObject({
      code: 0,
      stdout: `Revoked portal link ${link.uid}\n`,
    })
    expect((await t.cli(['portal-links', 'get', link.uid])).code).toBe(5)
  })
})
