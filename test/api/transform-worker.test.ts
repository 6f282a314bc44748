import {describe, expect, it} from 'vitest'

import {waitFor} from '../helpers/delivery.js'
import {createEndpoint, deliveriesOf, sendEvent} from '../helpers/fixtures.js'
import {startTestRelay, useRelay, type TestRelay} from '../helpers/relay.js'
import {liveSandboxWorkers, Sandbox, SandboxUnavailable} from '../../src/transform/sandbox.js'

const LOOPS = 'function transform(p) { for (;;) {} }'
const DOUBLES = 'function transform(p) { return {n: p.n * 2} }'

/** Settles with what happened and records, in `order`, when it did. */
function track<T>(order: string[], name: string, promise: Promise<T>): Promise<T> {
  return promise.finally(() => order.push(name))
}

async function noRetries(t: TestRelay): Promise<void> {
  const project = (await t.api('GET', t.p())).json.data
  const res = await t.api('PUT', t.p(), {
    name: project.name,
    config: {...project.config, strategy: {...project.config.strategy, retry_count: 0}},
  })
  expect(res.status).toBe(202)
}

describe('transformation functions run in a worker thread, off the event loop', () => {
  it('while test_function runs a function that loops forever, other requests are answered first', async () => {
    const t = await useRelay({deliver: false})
    const order: string[] = []
    const running = track(
      order,
      'test_function',
      t.api('POST', t.p('/subscriptions/test_function'), {payload: {}, function: LOOPS}),
    )
    // Only once the function is running in the sandbox (on the old event-loop sandbox, nothing would answer now).
    await waitFor(() => t.relay.sandbox.pendingJobs === 1, {intervalMs: 1})
    const health = track(order, 'healthz', fetch(`${t.url}/healthz`))
    const list = track(order, 'list', t.api('GET', t.p('/subscriptions')))
    expect((await health).status).toBe(200)
    expect((await list).status).toBe(200)
    const loops = await running
    expect(order).toHaveLength(3)
    expect(order[2]).toBe('test_function')
    expect(loops.status).toBe(400)
    expect(loops.json.message).toBe('function failed: the function ran longer than 100 ms and was stopped')
  })

  it('a delivery whose function loops forever fails saying why; another endpoint gets the same event', async () => {
    const t = await useRelay()
    await noRetries(t)
    const stuck = await createEndpoint(t, {name: 'stuck', url: `${t.receiver.url}/stuck`})
    const fine = await createEndpoint(t, {name: 'fine', url: `${t.receiver.url}/fine`})
    const made = await t.api('POST', t.p('/subscriptions'), {name: 'loops', endpoint_id: stuck, function: LOOPS})
    expect(made.status, JSON.stringify(made.json)).toBe(201)
    expect((await t.api('POST', t.p('/subscriptions'), {name: 'plain', endpoint_id: fine})).status).toBe(201)
    const event = await sendEvent(t, 'broadcast', {event_type: 'x', data: {n: 1}})
    const done = await waitFor(async () => {
      const list = await deliveriesOf(t, event.uid)
      return list.length === 2 && list.every((d) => d.status === 'Success' || d.status === 'Failure') ? list : undefined
    })
    const byEndpoint = Object.fromEntries(done.map((d) => [d.endpoint_id, d]))
    expect(byEndpoint[fine].status).toBe('Success')
    expect(byEndpoint[stuck].status).toBe('Failure')
    const attempts = (await t.api('GET', t.p(`/eventdeliveries/${byEndpoint[stuck].uid}/deliveryattempts`))).json.data
    expect(attempts.map((a: {error: string}) => a.error)).toEqual([
      'transformation failed (subscription function): the function ran longer than 100 ms and was stopped',
    ])
    expect(t.receiver.requests.map((r) => r.url)).toEqual(['/fine'])
    expect(JSON.parse(t.receiver.requests[0].body.toString())).toEqual({n: 1})
  })

  it('the watchdog replaces a worker that does not answer, and the next function runs on a fresh one', async () => {
    // QuickJS's own limit set far out, so only the watchdog can end the run. The watchdog
    // also times the next run, on a fresh worker: 2 s leaves room for a machine under load.
    const t = await useRelay({
      deliver: false,
      sandbox: {limits: {timeMs: 60_000, memoryBytes: 16 << 20}, watchdogMs: 2000},
    })
    const sandbox = t.relay.sandbox
    // The worker starts with the first function.
    expect(sandbox.workersStarted).toBe(0)
    const hung = await t.api('POST', t.p('/subscriptions/test_function'), {payload: {}, function: LOOPS})
    expect(hung.status).toBe(400)
    expect(hung.json.message).toBe(
      'function failed: the function did not stop within 2000 ms, so its worker was stopped and replaced',
    )
    expect(sandbox.workersStarted).toBe(2)
    const next = await t.api('POST', t.p('/subscriptions/test_function'), {payload: {n: 2}, function: DOUBLES})
    expect(next.status).toBe(200)
    expect(next.json.data.payload).toEqual({n: 4})
  })

  it('at most maxWaiting jobs wait; the rest fail at once as busy (503 from the API)', async () => {
    const sandbox = await Sandbox.start({maxWaiting: 2, limits: {timeMs: 200, memoryBytes: 16 << 20}})
    try {
      const order: string[] = []
      const jobs = Array.from({length: 5}, (_, i) => track(order, `job${i}`, sandbox.runTransform(LOOPS, {})))
      const results = await Promise.allSettled(jobs)
      // One running and two waiting ran (and were stopped); the last two were refused before any of them ended.
      expect(results.slice(0, 3)).toEqual(
        Array(3).fill({
          status: 'fulfilled',
          value: {ok: false, error: 'the function ran longer than 200 ms and was stopped', log: []},
        }),
      )
      for (const refused of results.slice(3)) {
        expect(refused.status).toBe('rejected')
        const reason = (refused as PromiseRejectedResult).reason
        expect(reason).toBeInstanceOf(SandboxUnavailable)
        expect(reason.message).toBe('the transformation sandbox is busy (2 functions waiting); try again')
      }
      expect(order).toEqual(['job3', 'job4', 'job0', 'job1', 'job2'])
    } finally {
      await sandbox.close()
    }

    // A longer time limit, so the first call is surely still running when the second arrives.
    const t = await useRelay({deliver: false, sandbox: {maxWaiting: 0, limits: {timeMs: 1000, memoryBytes: 16 << 20}}})
    const call = () =>
      fetch(`${t.url}${t.p('/subscriptions/test_function')}`, {
        method: 'POST',
        headers: {authorization: `Bearer ${t.key}`, 'content-type': 'application/json'},
        body: JSON.stringify({payload: {}, function: LOOPS}),
      })
    const first = call()
    // The first call's job must be running (not just sent) before the second arrives.
    await waitFor(() => t.relay.sandbox.pendingJobs === 1)
    const second = await call()
    expect(second.status).toBe(503)
    expect(second.headers.get('retry-after')).toBe('1')
    expect(((await second.json()) as {message: string}).message).toBe(
      'cannot run the function: the transformation sandbox is busy (0 functions waiting); try again',
    )
    expect((await first).status).toBe(400)
  })

  it('stop() resolves and leaves no worker thread behind', async () => {
    const before = liveSandboxWorkers()
    const t = await startTestRelay({deliver: false})
    // None until a function runs: most relays never start one.
    expect(liveSandboxWorkers()).toBe(before)
    const ran = await t.api('POST', t.p('/subscriptions/test_function'), {payload: {n: 1}, function: DOUBLES})
    expect(ran.json.data.payload).toEqual({n: 2})
    expect(liveSandboxWorkers()).toBe(before + 1)
    await t.cleanup()
    expect(liveSandboxWorkers()).toBe(before)
    await expect(t.relay.sandbox.runTransform(DOUBLES, {n: 1})).rejects.toThrow(
      'the transformation sandbox was stopped',
    )
  })
})
