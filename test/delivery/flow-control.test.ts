import {describe, expect, it, vi} from 'vitest'

import {storeEvent} from '../../src/core/events.js'
import {DEFAULT_PER_ENDPOINT_IN_FLIGHT as SLOTS} from '../../src/delivery/dispatcher.js'
import {getProject} from '../../src/store/projects.js'
import type {Delivery} from '../../src/store/types.js'
import {isFinal, sleep, startDeliveryRelay, startSink, waitFor} from '../helpers/delivery.js'

/**
 * Arrival times are taken at the sink, some ms after the relay's clock let the request go
 * (211 ms once, under a full suite on 2 cores). Unlimited, arrivals are ~50 ms apart, so 400
 * still tells a held rate from none; the departures are checked to 100 ms.
 */
const ARRIVAL_SLACK_MS = 400

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

describe('delivery: rate limit on the relay clock', () => {
  it('rate_limit 2 per minute: two go at once, the next two exactly when the window lets them, no sooner', async () => {
    const r = await startDeliveryRelay()
    const departures: number[] = []
    r.relay.events.on('delivery.updated', ({delivery}: {delivery: Delivery}) => {
      if (delivery.status === 'Processing') departures.push(r.clock.now())
    })
    const sink = await startSink()
    // A minute's window: real time passing during the test cannot open it, only the clock.
    await r.endpoint({url: sink.url, rate_limit: 2, rate_limit_duration: 60})
    const eventIds: string[] = []
    for (let i = 0; i < 6; i++) eventIds.push(await r.broadcast({i}))

    /** Once the ones held back are postponed (the look that did it has committed), when the first falls due. */
    const heldBack = async (count: number) => {
      const waiting = await waitFor(
        async () => {
          const all = await Promise.all(eventIds.map(async (id) => (await r.deliveriesOf(id))[0]))
          const later = all.filter(
            (d) => d.status === 'Scheduled' && Date.parse(d.metadata.next_send_time) > r.clock.now(),
          )
          return later.length === count && later
        },
        {what: `${count} deliveries postponed by the limiter`},
      )
      return Math.min(...waiting.map((d) => Date.parse(d.metadata.next_send_time)))
    }

    const dues: number[] = []
    for (const [sent, waiting] of [
      [2, 4],
      [4, 2],
    ]) {
      await sink.waitForRequests(sent)
      const due = await heldBack(waiting)
      expect(sink.requests).toHaveLength(sent)
      // The window reopens a minute after the older of the last two sends, no later (a
      // departure is announced just after the limiter let it go).
      expect(due).toBeLessThanOrEqual(departures[sent - 2] + 60_000)
      dues.push(due)
      r.advance(due - r.clock.now())
    }
    await sink.waitForRequests(6)
    const done = await Promise.all(eventIds.map((id) => r.delivery(id)))
    expect(done.map((d) => d.status)).toEqual(Array(6).fill('Success'))
    // ...and nothing went before its window reopened.
    expect(departures).toHaveLength(6)
    for (let i = 2; i < 6; i++) expect(departures[i]).toBeGreaterThanOrEqual(dues[i < 4 ? 0 : 1])
  })
})

describe('delivery: in-flight caps', () => {
  it('deliveries waiting for a free slot wait quietly: the queue loop does not spin meanwhile', async () => {
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const sink = await startSink(() => ({status: 200, until: released}))
    const r = await startDeliveryRelay()
    await r.endpoint({url: sink.url})
    // SLOTS sends per endpoint at once (the dispatcher's default): two of these must wait.
    const eventIds: string[] = []
    for (let i = 0; i < SLOTS + 2; i++) eventIds.push(await r.broadcast({i}))
    await sink.waitForRequests(SLOTS)

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- counting the private loop's turns
    const ticks = vi.spyOn(r.relay.dispatcher as any, 'tick')
    await sleep(300)
    expect(sink.requests).toHaveLength(SLOTS)
    expect(ticks.mock.calls.length, 'queue looks while nothing can change').toBeLessThanOrEqual(2)

    release()
    const done = await Promise.all(eventIds.map((id) => r.delivery(id)))
    expect(done.map((d) => d.status)).toEqual(Array(SLOTS + 2).fill('Success'))
    expect(sink.requests).toHaveLength(SLOTS + 2)
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
    await slow.waitForRequests(SLOTS)

    const delivery = await r.delivery(await r.send(healthy.uid, {to: 'healthy'}), isFinal, 2000)
    expect(delivery.status).toBe('Success')
    expect(fast.requests).toHaveLength(1)
    expect(slow.requests).toHaveLength(SLOTS)
  })
})
