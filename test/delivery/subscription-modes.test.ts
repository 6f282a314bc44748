import {describe, expect, it, onTestFinished} from 'vitest'

import {inOrder, startDeliveryRelay, startSink, tempDir} from '../helpers/delivery.js'

describe('subscription delivery_mode and rate_limit_config', () => {
  it('at_most_once: one attempt, never retried; at_least_once retries as the project says', async () => {
    const sink = await startSink(inOrder([{status: 500}, {status: 500}]))
    onTestFinished(() => sink.close())
    const r = await startDeliveryRelay()
    r.patchConfig((config) => {
      config.strategy = {type: 'linear', duration: 0, retry_count: 3}
    })
    const once = await r.ok('POST', r.p('/endpoints'), {name: 'once', url: `${sink.url}/once`})
    const sub = await r.ok('POST', r.p('/subscriptions'), {
      name: 's',
      endpoint_id: once.uid,
      delivery_mode: 'at_most_once',
    })
    expect(sub.delivery_mode).toBe('at_most_once')
    const failed = await r.delivery(await r.send(once.uid, {n: 1}))
    expect(failed).toMatchObject({status: 'Failure', metadata: {num_trials: 1, retry_limit: 0}})

    const many = await r.endpoint({url: `${sink.url}/many`})
    const retried = await r.delivery(await r.send(many.uid, {n: 2}))
    expect(retried).toMatchObject({status: 'Success', metadata: {num_trials: 2}})
    const bad = await r.api('PUT', r.p(`/subscriptions/${sub.uid}`), {delivery_mode: 'exactly_once'})
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/^delivery_mode must be one of at_least_once, at_most_once/)
  })

  it('at_most_once deliveries in flight at a crash are failed, not sent again', async () => {
    const sink = await startSink()
    onTestFinished(() => sink.close())
    const dataDir = await tempDir()
    const first = await startDeliveryRelay({dataDir, deliver: false})
    const once = await first.ok('POST', first.p('/endpoints'), {name: 'once', url: sink.url})
    await first.ok('POST', first.p('/subscriptions'), {name: 'o', endpoint_id: once.uid, delivery_mode: 'at_most_once'})
    const twice = await first.endpoint({url: sink.url})
    const a = await first.send(once.uid, {n: 'once'})
    const b = await first.send(twice.uid, {n: 'twice'})
    first.relay.db.prepare(`UPDATE deliveries SET status = 'Processing'`).run()
    await first.stop()

    const second = await startDeliveryRelay({dataDir})
    expect(await second.delivery(a)).toMatchObject({
      status: 'Failure',
      description: 'at_most_once: in flight when the relay stopped, so not sent again',
    })
    expect((await second.delivery(b)).status).toBe('Success')
    expect(sink.requests.map((q) => q.body.toString())).toEqual(['{"n":"twice"}'])
  })

  it('rate_limit_config holds a subscription to its own rate, queueing (never dropping) the rest', async () => {
    const sink = await startSink()
    onTestFinished(() => sink.close())
    const r = await startDeliveryRelay()
    const endpoint = await r.ok('POST', r.p('/endpoints'), {name: 'e', url: sink.url})
    const sub = await r.ok('POST', r.p('/subscriptions'), {
      name: 'slow',
      endpoint_id: endpoint.uid,
      rate_limit_config: {count: 1, duration: 60},
    })
    expect(sub.rate_limit_config).toEqual({count: 1, duration: 60})
    const first = await r.send(endpoint.uid, {n: 1})
    const second = await r.send(endpoint.uid, {n: 2})
    expect((await r.delivery(first)).status).toBe('Success')
    // The second waits for the window: scheduled about a minute after the first went out.
    const waiting = await r.delivery(second, (d) => Date.parse(d.metadata.next_send_time) > Date.now() + 30_000)
    expect(waiting.status).toBe('Scheduled')
    expect(sink.requests).toHaveLength(1)

    const bad = await r.api('PUT', r.p(`/subscriptions/${sub.uid}`), {rate_limit_config: {count: 5, duration: 0}})
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/^rate_limit_config.duration must be at least 1/)
  })
})
