import {describe, expect, it} from 'vitest'

import {deliveries} from '../../src/store/resources.js'
import {startDeliveryRelay, startSink} from '../helpers/delivery.js'

describe('delivery: crash recovery', () => {
  it('a delivery left Processing by a stop mid-send is sent again after a restart (at-least-once)', async () => {
    // The first request hangs forever; anything after it is answered.
    const sink = await startSink((request) => (request.index === 0 ? {hang: true} : {status: 200}))
    const first = await startDeliveryRelay()
    const endpoint = await first.endpoint({url: sink.url})
    const eventId = await first.broadcast({order: 'hang-then-recover'})
    await sink.waitForRequests(1)
    const [inFlight] = await first.deliveriesOf(eventId)
    expect(inFlight.status).toBe('Processing')

    const stopStarted = Date.now()
    await first.stop(200)
    // Bounded by the grace period, not by the endpoint's 30 s timeout (the margin is for a busy machine).
    expect(Date.now() - stopStarted).toBeLessThan(15_000)
    expect(first.relay.db.open).toBe(false)

    const second = await startDeliveryRelay({dataDir: first.dataDir, apiKey: first.key})
    expect(second.projectId).toBe(first.projectId)
    const delivery = await second.delivery(eventId)
    expect(delivery.uid).toBe(inFlight.uid)
    expect(delivery.status).toBe('Success')

    // Sent twice, the same bytes and delivery id: receivers dedupe on x-convoy-eventdelivery-id.
    expect(sink.requests).toHaveLength(2)
    expect(sink.requests[1].body.equals(sink.requests[0].body)).toBe(true)
    expect(sink.requests.map((q) => q.headers['x-convoy-eventdelivery-id'])).toEqual([inFlight.uid, inFlight.uid])
    // The aborted send left no attempt behind: the one attempt recorded is the success.
    const attempts = await second.attempts(delivery.uid)
    expect(attempts.map((a) => a.http_status)).toEqual(['200'])
    expect(attempts[0].endpoint_id).toBe(endpoint.uid)
  })

  it('deliveries still Scheduled when the relay stopped are sent by the next one', async () => {
    const sink = await startSink()
    const first = await startDeliveryRelay({deliver: false})
    await first.endpoint({url: sink.url})
    const eventIds = [await first.broadcast({n: 1}), await first.broadcast({n: 2})]
    await first.stop()
    expect(sink.requests).toHaveLength(0)

    const second = await startDeliveryRelay({dataDir: first.dataDir, apiKey: first.key})
    const done = await Promise.all(eventIds.map((id) => second.delivery(id)))
    expect(done.map((d) => d.status)).toEqual(['Success', 'Success'])
    expect(sink.requests.map((q) => q.body.toString()).sort()).toEqual(['{"n":1}', '{"n":2}'])
    expect(deliveries.find(second.relay.db, ['status != ?'], ['Success'])).toEqual([])
  })
})
