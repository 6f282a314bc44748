import {afterAll, describe, expect, it, onTestFinished} from 'vitest'

import {killAll, makeSandbox, runCli} from '../helpers/cli.js'
import {startFakeConvoy} from '../helpers/convoy-server.js'
import {startDeliveryRelay} from '../helpers/delivery.js'
import {countRows, DAY_MS, seedEndpoint, seedEvents} from './support.js'

// Integration tier: the built bin/run.js against an in-process relay (a real HTTP server).
afterAll(() => killAll())

/** oclif wraps usage errors to the terminal width, continuing lines with " ›". */
const unwrap = (text: string) => text.replace(/\n ›\s+/g, ' ').replace(/ {2,}/g, ' ')

async function setup() {
  const r = await startDeliveryRelay({deliver: false})
  const sandbox = makeSandbox()
  onTestFinished(() => sandbox.cleanup())
  const env = {...sandbox.env, CARAVAN_GATEWAY: r.relay.url, CARAVAN_API_KEY: r.key, CARAVAN_PROJECT: r.projectId}
  const endpointId = seedEndpoint(r.relay.db, r.projectId)
  const seed = (count: number, daysAgo: number) =>
    seedEvents(r.relay.db, {
      projectId: r.projectId,
      endpointId,
      count,
      at: Date.now() - daysAgo * DAY_MS,
      status: 'Success',
    })
  return {r, env, seed}
}

describe('caravan events prune', {timeout: 60_000}, () => {
  it('prunes by age or date, prints what went (JSON under --json), and refuses a bad --before with exit 2', async () => {
    const {r, env, seed} = await setup()
    seed(4, 40)
    seed(2, 10)

    const json = await runCli(['events', 'prune', '--before', '30d', '--json'], {env})
    expect(json.stderr).toBe('')
    expect(json.code).toBe(0)
    const result = JSON.parse(json.stdout)
    expect(result).toMatchObject({events: 4, deliveries: 4, attempts: 4})
    expect(Date.parse(result.before)).toBeLessThan(Date.now() - 30 * DAY_MS + 60_000)

    const human = await runCli(
      ['events', 'prune', '--before', new Date(Date.now() - DAY_MS).toISOString().slice(0, 10)],
      {env},
    )
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(
      /^Pruned 2 events \(2 deliveries, 2 attempts\) created before \d{4}-\d{2}-\d{2}T00:00:00\.000Z\n$/,
    )
    expect(countRows(r.relay.db).events).toBe(0)

    const bad = await runCli(['events', 'prune', '--before', 'last week'], {env})
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(unwrap(bad.stderr)).toMatch(
      /--before: "last week" is neither a date \(2026-11-01, 2026-11-01T15:04:05\) nor an age \(30d, 720h\)/,
    )
  })
})

describe('caravan events prune against Convoy', {timeout: 60_000}, () => {
  it('says it needs a Caravan gateway (exit 7) rather than "not found"', async () => {
    const convoy = await startFakeConvoy()
    onTestFinished(() => convoy.close())
    const sandbox = makeSandbox()
    onTestFinished(() => sandbox.cleanup())
    const res = await runCli(
      [
        'events',
        'prune',
        '--before',
        '30d',
        '--gateway',
        convoy.url,
        '--api-key',
        'CO.test.key',
        '--project',
        '01H0JA5MEES38RRK3HTEJC647K',
      ],
      {env: sandbox.env},
    )
    expect(res.code, res.stderr).toBe(7)
    expect(res.stdout).toBe('')
    expect(res.stderr).toMatch(
      /^Error: caravan events prune needs a Caravan gateway: http:\/\/127\.0\.0\.1:\d+ is not a Caravan relay \(it has no prune route/,
    )
  })
})

describe('caravan status shows the store', {timeout: 60_000}, () => {
  it('bytes on disk and events held, in the human view and --json', async () => {
    const {env, seed} = await setup()
    seed(1234, 1)
    const json = await runCli(['status', '--json'], {env})
    expect(json.code).toBe(0)
    const store = JSON.parse(json.stdout).store_size
    expect(store.events).toBe(1234)
    expect(store.bytes).toBeGreaterThan(1234 * 200) // each seeded event has a 200-byte body
    expect(store.free_bytes).toBeGreaterThanOrEqual(0)

    const human = await runCli(['status'], {env})
    expect(human.code).toBe(0)
    expect(human.stdout).toMatch(/^store +\d+(\.\d)? [KMG]?B on disk.*, 1,234 events$/m)
  })
})

describe('caravan server --retention', {timeout: 60_000}, () => {
  it('refuses a value that is not a duration, before starting anything (exit 2)', async () => {
    const sandbox = makeSandbox()
    onTestFinished(() => sandbox.cleanup())
    const res = await runCli(['server', '--port', '0', '--retention', 'forever'], {env: sandbox.env})
    expect(res.code).toBe(2)
    expect(unwrap(res.stderr)).toMatch(
      /--retention: "forever" is not a duration: use a number with a unit, e.g. 30d, 720h or 1h30m/,
    )
    const subnet = await runCli(['server', '--port', '0', '--allow-subnet', 'intranet'], {env: sandbox.env})
    expect(subnet.code).toBe(2)
    expect(unwrap(subnet.stderr)).toMatch(/--allow-subnet: "intranet" is not an IP subnet \(e\.g\. 10\.0\.0\.0\/8\)/)
  })
})
