import {describe, expect, it, onTestFinished} from 'vitest'

import {DEFAULT_PER_ENDPOINT_IN_FLIGHT, MAX_IN_FLIGHT_PER_ENDPOINT} from '../../src/core/delivery-limits.js'
import {type DeliveryRelay, startDeliveryRelay, startSink} from '../helpers/delivery.js'

/** A sink that holds every answer until release(), and counts the most it held at once. */
async function heldSink() {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let open = 0
  let most = 0
  const sink = await startSink(() => {
    open++
    most = Math.max(most, open)
    return {status: 200, until: released.finally(() => open--)}
  })
  onTestFinished(() => sink.close())
  return {sink, release, most: () => most}
}

async function deliverAll(r: DeliveryRelay, endpointId: string, count: number) {
  const ids: string[] = []
  for (let i = 0; i < count; i++) ids.push(await r.send(endpointId, {i}))
  return ids
}

describe("delivery: an endpoint's deliveries in flight", () => {
  it('max_in_flight 3: three sent at once, never a fourth, all delivered', async () => {
    const held = await heldSink()
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({url: held.sink.url, rate_limit: 0, max_in_flight: 3})
    expect(endpoint.max_in_flight).toBe(3)
    const ids = await deliverAll(r, endpoint.uid, 10)
    await held.sink.waitForRequests(3)
    held.release()
    for (const id of ids) expect((await r.delivery(id)).status).toBe('Success')
    expect(held.most()).toBe(3)
    expect(held.sink.requests).toHaveLength(10)
  })

  it(`unset: the relay's default (${DEFAULT_PER_ENDPOINT_IN_FLIGHT}); null resets a set value`, async () => {
    const held = await heldSink()
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({url: held.sink.url, rate_limit: 0, max_in_flight: 1})
    const reset = await r.ok('PUT', r.p(`/endpoints/${endpoint.uid}`), {
      name: endpoint.name,
      url: endpoint.url,
      max_in_flight: null,
    })
    expect(reset.max_in_flight).toBeNull()
    const ids = await deliverAll(r, endpoint.uid, DEFAULT_PER_ENDPOINT_IN_FLIGHT + 4)
    await held.sink.waitForRequests(DEFAULT_PER_ENDPOINT_IN_FLIGHT)
    held.release()
    for (const id of ids) expect((await r.delivery(id)).status).toBe('Success')
    expect(held.most()).toBe(DEFAULT_PER_ENDPOINT_IN_FLIGHT)
  })

  it('out of range or not an integer: 400 naming the field, nothing changed', async () => {
    const r = await startDeliveryRelay({deliver: false})
    const endpoint = await r.endpoint({url: 'http://127.0.0.1:9/x', max_in_flight: 2})
    for (const bad of [0, MAX_IN_FLIGHT_PER_ENDPOINT + 1, 2.5, '4']) {
      const res = await r.api('PUT', r.p(`/endpoints/${endpoint.uid}`), {
        name: endpoint.name,
        url: endpoint.url,
        max_in_flight: bad,
      })
      expect(res.status).toBe(400)
      expect(res.json.message).toMatch(/max_in_flight/)
    }
    expect((await r.ok('GET', r.p(`/endpoints/${endpoint.uid}`))).max_in_flight).toBe(2)
  })
})
