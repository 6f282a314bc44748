import {describe, expect, it, vi} from 'vitest'

import {storeEvent} from '../../src/core/events.js'
import {getProject} from '../../src/store/projects.js'
import type {Delivery} from '../../src/store/types.js'
import {inOrder, isFinal, sleep, startDeliveryRelay, startSink, waitFor} from '../helpers/delivery.js'

/** Arrival times are taken at the sink, some ms after the relay's clock let the request go. */
const ARRIVAL_SLACK_MS = 200

describe('delivery: rate limit', () => {
  it('rate_limit 2 per 1 s: six events all arrive, never more than two within any second', async () => {
    const sink = await startSink()
    const r = await startDeliveryRelay()
    await r.endpoint({url: sink.url, rate_limit: 2, rate_limit_duration: 1})
    // When the dispatcher let each request go (it announces Processing right after the limiter said yes).
    const departures: number[] = []
    r.relay.events.on('delivery.updated', ({delivery}: {delivery: Delivery}) => {
      if (delivery.status === 'Processing') departures.push(Date.now())
    })

    const eventIds: string[] = []
    for (let i = 0; i < 6; i++) eventIds.push(await r.broadcast({i}))

    await sink.waitForRequests(6, 6000)
    const deliveries = await Promise.all(eventIds.map((id) => r.delivery(id)))
    expect(deliveries.map((d) => d.status)).toEqual(Array(6).fill('Success'))
    expect(deliveries.map((d) => d.metadata.num_trials)).toEqual(Array(6).fill(1))
    // Queued, never dropped: every event arrived exactly once.
    expect(sink.requests.map((q) => JSON.parse(q.body.toString()).i).sort()).toEqual([0, 1, 2, 3, 4, 5])

    const windowsApart = (times: number[], slackMs: number, what: string) => {
      const sorted = [...times].sort((a, b) => a - b)
      for (let i = 2; i < sorted.length; i++) {
        expect(sorted[i] - sorted[i - 2], `${what} ${i - 2} and ${i} are a window apart`).toBeGreaterThanOrEqual(
          1000 - slackMs,
        )
      }
      expect(sorted[5] - sorted[0], `${what}: spread over 3 windows`).toBeGreaterThanOrEqual(2000 - slackMs)
      // ...and the limiter does not hold them much longer than it must.
      expect(sorted[5] - sorted[0], what).toBeLessThan(3500)
    }
    expect(departures).toHaveLength(6)
    // Announced after the claim is fsynced, so a departure can trail its limiter slot by
    // the time one fsync takes (tens of ms on a busy disk); unlimited, they would be ~50 ms apart.
    windowsApart(departures, 100, 'departures')
    // Arrivals can bunch by however much the network delayed the earlier request (the
    // first one also pays for the TCP connect), so they get more slack.
    windowsApart(
      sink.requests.map((q) => q.at),
      ARRIVAL_SLACK_MS,
      'arrivals',
    )
  })
})

describe('delivery: circuit breaker', () => {
  it('opens after 2 failures, sends nothing during the cool-down, then one probe whose success closes it', async () => {
    const sink = await startSink(inOrder([{status: 500}, {status: 500}]))
    const r = await startDeliveryRelay()
    await r.configure({circuit_breaker: {consecutive_failure_threshold: 2, error_timeout: 1}})
    r.patchConfig((config) => {
      config.strategy = {type: 'linear', duration: 0, retry_count: 10}
    })
    const endpoint = await r.endpoint({url: sink.url})
    const state = () => r.relay.dispatcher!.circuitState(getProject(r.relay.db, r.projectId)!, endpoint.uid)

    // Retries are immediate (duration 0), so only the breaker can hold the third attempt back.
    const first = await r.broadcast({n: 'first'})
    await sink.waitForRequests(2)
    await waitFor(() => state() === 'open', {what: 'breaker open'})
    // Events created during the cool-down wait too.
    const during = [await r.broadcast({n: 'during-1'}), await r.broadcast({n: 'during-2'})]
    expect(sink.requests).toHaveLength(2)

    await sink.waitForRequests(3, 3000)
    const opened = sink.requests[1].respondedAt!
    const probe = sink.requests[2]
    expect(probe.at - opened, 'no request during the 1 s cool-down').toBeGreaterThanOrEqual(990)
    expect(JSON.parse(probe.body.toString())).toEqual({n: 'first'})

    // The probe succeeded: the breaker closes and the held deliveries flow.
    const all = await Promise.all([first, ...during].map((id) => r.delivery(id, isFinal, 4000)))
    expect(all.map((d) => d.status)).toEqual(['Success', 'Success', 'Success'])
    expect(state()).toBe('closed')
    expect(sink.requests).toHaveLength(5)
    // The probe went alone: nothing else left before its answer came back.
    for (const later of sink.requests.slice(3)) expect(later.at).toBeGreaterThanOrEqual(probe.respondedAt!)

    const attempts = await r.attempts(all[0].uid)
    expect(attempts.map((a) => a.http_status)).toEqual(['500', '500', '200'])
    for (const held of all.slice(1)) expect(held.metadata.num_trials).toBe(1)

    // Closed again: a new event goes straight through.
    const after = Date.now()
    expect((await r.delivery(await r.broadcast({n: 'after'}))).status).toBe('Success')
    expect(sink.requests[5].at - after).toBeLessThan(500)
  })
})

describe('delivery: in-flight caps', () => {
  it('deliveries waiting for a free slot wait quietly: the queue loop does not spin meanwhile', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const sink = await startSink(() => ({status: 200, until: released}))
    const r = await startDeliveryRelay()
    await r.endpoint({url: sink.url})
    // 8 sends per endpoint at once (the dispatcher's default): two of these ten must wait.
    const eventIds: string[] = []
    for (let i = 0; i < 10; i++) eventIds.push(await r.broadcast({i}))
    await sink.waitForRequests(8)

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- counting the private loop's turns
    const ticks = vi.spyOn(r.relay.dispatcher as any, 'tick')
    await sleep(300)
    expect(sink.requests).toHaveLength(8)
    expect(ticks.mock.calls.length, 'queue looks while nothing can change').toBeLessThanOrEqual(2)

    release()
    const done = await Promise.all(eventIds.map((id) => r.delivery(id)))
    expect(done.map((d) => d.status)).toEqual(Array(10).fill('Success'))
    expect(sink.requests).toHaveLength(10)
    // The freed slots woke the loop: the spy was watching the real thing.
    expect(ticks.mock.calls.length).toBeGreaterThan(0)
  })
  it("one slow endpoint's backlog does not hold up deliveries to the others", async () => {
    const slow = await startSink(() => ({status: 200, until: new Promise(() => undefined)}))
    const fast = await startSink()
    const r = await startDeliveryRelay()
    const stuck = await r.endpoint({url: slow.url})
    const healthy = await r.endpoint({url: fast.url})
    // A backlog larger than the dispatcher's batch (256), stored in one go rather than 300 API calls.
    const project = getProject(r.relay.db, r.projectId)!
    r.relay.db.transaction(() => {
      for (let i = 0; i < 300; i++) {
        storeEvent(r.relay.db, project, {
          target: {kind: 'endpoint', endpointId: stuck.uid},
          eventType: 'bulk',
          body: Buffer.from(`{"i":${i}}`),
          headers: {},
          idempotencyKey: null,
        })
      }
    })()
    r.relay.events.emit('deliveries.scheduled', {projectId: r.projectId})
    await slow.waitForRequests(8)

    const delivery = await r.delivery(await r.send(healthy.uid, {to: 'healthy'}), isFinal, 2000)
    expect(delivery.status).toBe('Success')
    expect(fast.requests).toHaveLength(1)
    expect(slow.requests).toHaveLength(8)
  })
})
