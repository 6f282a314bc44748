import {afterAll, describe, expect, it, onTestFinished} from 'vitest'

import {killAll, makeSandbox, runCli} from '../helpers/cli.js'
import {useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

// Spawns the built bin/run.js (npm run build first) against an in-process relay.
const SLOW = {timeout: 60_000}
afterAll(() => killAll())

async function setUp() {
  const t = await useRelay({deliver: false})
  const sandbox = makeSandbox()
  onTestFinished(() => sandbox.cleanup())
  const flags = ['--gateway', t.url, '--api-key', t.key, '--project', t.projectId]
  const cli = (args: string[]) => runCli([...args, ...flags], {env: sandbox.env})
  return {...t, cli}
}

describe('the CLI with ids that are no ids, and bodies that are no JSON (issue 10, items 4 and 5)', SLOW, () => {
  it('caravan endpoints delete .. is a usage error (exit 2) and the project stays', async () => {
    const {api, p, relay, cli, receiver} = await setUp()
    await api('POST', p('/endpoints'), {name: 'e', url: receiver.url})
    const before = storeSnapshot(relay.db)
    for (const args of [
      ['endpoints', 'delete', '..'],
      ['endpoints', 'update', '..', '--name', 'x'],
      ['sources', 'delete', '.'],
      ['endpoints', 'get', 'a/b'],
    ]) {
      const result = await cli(args)
      expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(2)
      expect(result.stderr).toMatch(/is not a valid id: an id is one path segment/)
      expect(result.stdout).toBe('')
    }
    expect(storeSnapshot(relay.db)).toBe(before)
    expect((await api('GET', p())).status).toBe(200)
  })

  it('a percent-escaped dot id is just an unknown id (exit 5)', async () => {
    const {cli} = await setUp()
    const result = await cli(['endpoints', 'delete', '%2e%2e'])
    expect(result.code, result.stderr).toBe(5)
  })

  it('caravan events list works with a 5,000-level array stored', async () => {
    const {api, p, url, cli} = await setUp()
    const source = (await api('POST', p('/sources'), {name: 'deep', type: 'http', verifier: {type: 'noop'}})).json.data
    const ingest = await fetch(`${url}/ingest/${source.mask_id}`, {
      method: 'POST',
      body: '['.repeat(5000) + ']'.repeat(5000),
    })
    expect(ingest.status).toBe(200)
    const id = ingest.headers.get('x-caravan-event-id')!
    const listed = await cli(['events', 'list', '--json'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toContain(id)
    const got = await cli(['events', 'get', id])
    expect(got.code, got.stderr).toBe(0)
  })
})
