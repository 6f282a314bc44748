import {createHmac} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {inOrder, startDeliveryRelay, startSink} from '../helpers/delivery.js'

describe('delivery: endpoint state', () => {
  it('410 Gone disables the endpoint at once; later deliveries to it are Discarded', async () => {
    const sink = await startSink(inOrder([{status: 410, body: 'gone'}]))
    const r = await startDeliveryRelay()
    // Plenty of retries left: 410 must not use them.
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 5}})
    const endpoint = await r.endpoint({url: sink.url})

    const first = await r.delivery(await r.broadcast({n: 1}))
    expect(first.status).toBe('Failure')
    expect(first.description).toBe('HTTP 410: endpoint gone, disabling it')
    expect(first.metadata.num_trials).toBe(1)
    expect((await r.ok('GET', r.p(`/endpoints/${endpoint.uid}`))).status).toBe('inactive')

    const second = await r.delivery(await r.broadcast({n: 2}))
    expect(second.status).toBe('Discarded')
    expect(second.description).toBe('endpoint is inactive')
    expect(await r.attempts(second.uid)).toHaveLength(0)
    expect(sink.requests).toHaveLength(1)

    // Re-activating brings it back (the sink now answers 200).
    await r.ok('POST', r.p(`/endpoints/${endpoint.uid}/activate`))
    expect((await r.delivery(await r.broadcast({n: 3}))).status).toBe('Success')
    expect(sink.requests.map((q) => q.body.toString())).toEqual(['{"n":1}', '{"n":3}'])
  })

  it('disable_endpoint: exhausted retries disable the endpoint, send a signed meta event and a Slack message', async () => {
    const sink = await startSink(() => ({status: 503}))
    const meta = await startSink()
    const slack = await startSink()
    const r = await startDeliveryRelay()
    await r.configure({
      disable_endpoint: true,
      meta_event: {
        is_enabled: true,
        type: 'http',
        url: `${meta.url}/meta`,
        secret: 'meta-secret',
        event_type: ['endpoint.disabled', 'eventdelivery.failed'],
      },
      strategy: {type: 'linear', duration: 1, retry_count: 1},
    })
    const endpoint = await r.endpoint({
      name: 'orders-app',
      url: sink.url,
      slack_webhook_url: `${slack.url}/services/T000/B000/XXX`,
    })

    const delivery = await r.onSchedule(await r.broadcast({order: 1}))
    expect(delivery.status).toBe('Failure')
    expect(delivery.description).toBe('HTTP 503, giving up after 2 attempts (retry_count 1)')
    expect(sink.requests).toHaveLength(2)
    expect((await r.ok('GET', r.p(`/endpoints/${endpoint.uid}`))).status).toBe('inactive')

    // Meta events: endpoint.disabled and eventdelivery.failed, each signed with the meta secret.
    await meta.waitForRequests(2)
    for (const request of meta.requests) {
      expect(request.method).toBe('POST')
      expect(request.url).toBe('/meta')
      expect(request.headers['content-type']).toBe('application/json')
      expect(request.headers['x-convoy-signature']).toBe(
        createHmac('sha256', 'meta-secret').update(request.body).digest('hex'),
      )
    }
    const byType = new Map(
      meta.requests.map((q) => [String(q.headers['x-convoy-meta-event-type']), JSON.parse(q.body.toString())]),
    )
    expect([...byType.keys()].sort()).toEqual(['endpoint.disabled', 'eventdelivery.failed'])
    expect(byType.get('endpoint.disabled')).toMatchObject({
      event_type: 'endpoint.disabled',
      data: {endpoint_id: endpoint.uid, name: 'orders-app', url: sink.url, reason: expect.stringContaining('HTTP 503')},
    })
    expect(byType.get('eventdelivery.failed')).toMatchObject({
      event_type: 'eventdelivery.failed',
      data: {delivery_id: delivery.uid, endpoint_id: endpoint.uid, status: 'Failure', attempts: 2},
    })

    await slack.waitForRequests(1)
    expect(slack.requests).toHaveLength(1)
    expect(slack.requests[0].url).toBe('/services/T000/B000/XXX')
    expect(slack.requests[0].headers['content-type']).toBe('application/json')
    const message = JSON.parse(slack.requests[0].body.toString()) as {text: string}
    expect(Object.keys(message)).toEqual(['text'])
    expect(message.text).toContain('orders-app')
    expect(message.text).toContain(`caravan endpoints activate ${endpoint.uid}`)

    // Further events are not sent to the disabled endpoint.
    const next = await r.delivery(await r.broadcast({order: 2}))
    expect(next.status).toBe('Discarded')
    expect(sink.requests).toHaveLength(2)
  })

  it('without disable_endpoint, exhausted retries leave the endpoint active and send no Slack message', async () => {
    const sink = await startSink(() => ({status: 500}))
    const slack = await startSink()
    const logs: string[] = []
    const r = await startDeliveryRelay({log: (line) => logs.push(line)})
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}, disable_endpoint: false})
    const endpoint = await r.endpoint({url: sink.url, slack_webhook_url: slack.url})
    expect((await r.delivery(await r.broadcast({x: 1}))).status).toBe('Failure')
    // The outcome is handled (endpoint disabled or not, Slack told or not) before the
    // Failure can be read back, and a Slack message only ever goes with this log line.
    expect((await r.ok('GET', r.p(`/endpoints/${endpoint.uid}`))).status).toBe('active')
    expect(logs.filter((line) => /disabled/.test(line))).toEqual([])
    expect(slack.requests).toHaveLength(0)
  })

  it('a paused endpoint gets nothing: its deliveries are Discarded; after activate new events deliver', async () => {
    const sink = await startSink()
    const r = await startDeliveryRelay()
    const endpoint = await r.endpoint({url: sink.url})

    const paused = await r.ok('PUT', r.p(`/endpoints/${endpoint.uid}/pause`))
    expect(paused.status).toBe('paused')
    const whilePaused = await r.delivery(await r.broadcast({while: 'paused'}))
    expect(whilePaused.status).toBe('Discarded')
    expect(whilePaused.description).toBe('endpoint is paused')

    const activated = await r.ok('POST', r.p(`/endpoints/${endpoint.uid}/activate`))
    expect(activated.status).toBe('active')
    const after = await r.delivery(await r.broadcast({after: 'activate'}))
    expect(after.status).toBe('Success')

    // Only the event sent after activation arrived; the discarded one was never attempted.
    expect(await r.attempts(whilePaused.uid)).toHaveLength(0)
    expect(sink.requests.map((q) => q.body.toString())).toEqual(['{"after":"activate"}'])
    expect((await r.deliveriesOf(whilePaused.event_id))[0].status).toBe('Discarded')
  })
})
