import {afterAll, describe, expect, it, onTestFinished} from 'vitest'

import {killAll, makeSandbox, runCli} from '../helpers/cli.js'
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
})
