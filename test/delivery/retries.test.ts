import {describe, expect, it} from 'vitest'

import type {Delivery} from '../../src/store/types.js'
import {
  closedPort,
  inOrder,
  startDeliveryRelay,
  startSink,
  type DeliveryRelay,
  type SinkHandler,
} from '../helpers/delivery.js'

/** Statuses a delivery passes through, as the relay announces them (Processing left out). */
function recordStatuses(r: DeliveryRelay): Map<string, string[]> {
  const seen = new Map<string, string[]>()
  r.relay.events.on('delivery.updated', ({delivery}: {delivery: Delivery}) => {
    if (delivery.status === 'Processing') return
    seen.set(delivery.id, [...(seen.get(delivery.id) ?? []), delivery.status])
  })
  return seen
}

/**
 * When each retry was due (the relay's clock when it recorded the failure, plus the delay)
 * and when each request reached the sink, on the same clock.
 */
function recordSchedule(r: DeliveryRelay, handler: SinkHandler) {
  const retries: {at: number; delayMs: number}[] = []
  const arrivals: number[] = []
  r.relay.events.on('delivery.updated', ({delivery, attempt}: {delivery: Delivery; attempt?: {created_at: string}}) => {
    if (delivery.status === 'Retry' && attempt)
      retries.push({at: delivery.next_attempt_at, delayMs: delivery.next_attempt_at - Date.parse(attempt.created_at)})
  })
  const onArrival: SinkHandler = (request) => {
    arrivals.push(r.clock.now())
    return handler(request)
  }
  return {retries, arrivals, onArrival}
}

describe('delivery: retries', () => {
  it('500, 500, then 200: Retry → Retry → Success with three recorded attempts, none early', async () => {
    const r = await startDeliveryRelay()
    // What a user can configure: the API's shortest interval is 1 s; the clock moves instead of the test waiting.
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 5}})
    const schedule = recordSchedule(
      r,
      inOrder([
        {status: 500, body: 'boom 1'},
        {status: 500, body: 'boom 2'},
      ]),
    )
    const sink = await startSink(schedule.onArrival)
    const statuses = recordStatuses(r)
    await r.endpoint({url: sink.url})

    const eventId = await r.broadcast({retry: 'me'})
    const delivery = await r.onSchedule(eventId)
    expect(delivery.status).toBe('Success')
    expect(delivery.metadata.num_trials).toBe(3)
    expect(delivery.metadata.retry_limit).toBe(5)
    expect(statuses.get(delivery.uid)).toEqual(['Retry', 'Retry', 'Success'])

    const attempts = await r.attempts(delivery.uid)
    expect(attempts.map((a) => a.http_status)).toEqual(['500', '500', '200'])
    expect(attempts.map((a) => a.status)).toEqual([false, false, true])
    expect(attempts.map((a) => a.response_data)).toEqual(['boom 1', 'boom 2', 'ok 2'])
    // Every retry sends the same bytes and the same delivery id.
    expect(sink.requests).toHaveLength(3)
    expect(new Set(sink.requests.map((q) => q.body.toString())).size).toBe(1)
    expect(new Set(sink.requests.map((q) => q.headers['x-convoy-eventdelivery-id']))).toEqual(new Set([delivery.uid]))
    // Linear 1 s with ±20 % jitter, and no retry before its time on the relay's clock.
    expect(schedule.retries).toHaveLength(2)
    for (const [i, retry] of schedule.retries.entries()) {
      expect(retry.delayMs).toBeGreaterThanOrEqual(800)
      expect(retry.delayMs).toBeLessThanOrEqual(1200)
      expect(schedule.arrivals[i + 1], `retry ${i + 1} sent at or after its due time`).toBeGreaterThanOrEqual(retry.at)
    }
  })

  it('exponential strategy: each retry waits twice as long as the one before', async () => {
    const r = await startDeliveryRelay()
    await r.configure({strategy: {type: 'exponential', duration: 1, retry_count: 4}})
    const schedule = recordSchedule(r, () => ({status: 500}))
    const sink = await startSink(schedule.onArrival)
    await r.endpoint({url: sink.url})

    const delivery = await r.onSchedule(await r.broadcast({backoff: 'exponential'}))
    expect(delivery.status).toBe('Failure')
    expect(delivery.description).toBe('HTTP 500, giving up after 5 attempts (retry_count 4)')
    expect(sink.requests).toHaveLength(5)
    // 1 s, 2 s, 4 s, 8 s, each ±20 % (linear would be 1 s every time).
    expect(schedule.retries).toHaveLength(4)
    for (const [i, retry] of schedule.retries.entries()) {
      expect(retry.delayMs, `retry ${i + 1}`).toBeGreaterThanOrEqual(0.8 * 1000 * 2 ** i)
      expect(retry.delayMs, `retry ${i + 1}`).toBeLessThanOrEqual(1.2 * 1000 * 2 ** i)
      expect(schedule.arrivals[i + 1], `retry ${i + 1} sent at or after its due time`).toBeGreaterThanOrEqual(retry.at)
    }
  })

  it('gives up after retry_count retries: Failure with the reason in description', async () => {
    const sink = await startSink(() => ({status: 500}))
    const r = await startDeliveryRelay()
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 2}})
    await r.endpoint({url: sink.url})

    const delivery = await r.onSchedule(await r.broadcast({fail: 'always'}))
    expect(delivery.status).toBe('Failure')
    expect(delivery.description).toBe('HTTP 500, giving up after 3 attempts (retry_count 2)')
    expect(delivery.metadata.num_trials).toBe(3)
    expect(await r.attempts(delivery.uid)).toHaveLength(3)
    expect(sink.requests).toHaveLength(3)
  })

  it('honours Retry-After within 1x-2x of the schedule (seen in next_send_time, no waiting)', async () => {
    const r = await startDeliveryRelay()
    // Linear 10 s: the scheduled delay is 8-12 s with jitter.
    await r.configure({strategy: {type: 'linear', duration: 10, retry_count: 3}})
    const scenario = async (retryAfter: string) => {
      const sink = await startSink(() => ({status: 500, headers: {'retry-after': retryAfter}}))
      const endpoint = await r.endpoint({url: sink.url})
      const delivery = await r.delivery(await r.send(endpoint.uid, {retryAfter}), (d) => d.status === 'Retry')
      const [attempt] = await r.attempts(delivery.uid)
      expect(attempt.response_http_header?.['retry-after']).toBe(retryAfter)
      return {
        delay: Date.parse(delivery.metadata.next_send_time) - Date.parse(attempt.created_at),
        description: delivery.description,
      }
    }

    // Longer than the schedule but within 2x: exactly what the receiver asked for.
    const asked = await scenario('15')
    expect(asked.delay).toBe(15_000)
    expect(asked.description).toBe('HTTP 500, retry 1/3 in 15s (Retry-After 15s)')

    // An HTTP-date works the same way (second precision, so 14-15 s).
    const dated = await scenario(new Date(Date.now() + 15_000).toUTCString())
    expect(dated.delay).toBeGreaterThanOrEqual(13_000)
    expect(dated.delay).toBeLessThanOrEqual(15_000)

    // A receiver cannot park a delivery for an hour: capped at 2x the schedule.
    const tooLong = await scenario('3600')
    expect(tooLong.delay).toBeGreaterThanOrEqual(16_000)
    expect(tooLong.delay).toBeLessThanOrEqual(24_000)
    expect(tooLong.description).toMatch(/\(Retry-After 1h\)$/)

    // Nor make us retry sooner than the schedule.
    const tooShort = await scenario('1')
    expect(tooShort.delay).toBeGreaterThanOrEqual(8_000)
    expect(tooShort.delay).toBeLessThanOrEqual(12_000)
  })

  it('does not send the retry before Retry-After has passed', async () => {
    const r = await startDeliveryRelay()
    // 1 s linear: 0.8-1.2 s with jitter, so Retry-After: 1 makes it 1-1.2 s (2 could be
    // capped at twice the jittered schedule, 1.6 s).
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 2}})
    const schedule = recordSchedule(r, inOrder([{status: 500, headers: {'retry-after': '1'}}]))
    const sink = await startSink(schedule.onArrival)
    await r.endpoint({url: sink.url})

    const delivery = await r.onSchedule(await r.broadcast({wait: 'for it'}))
    expect(delivery.status).toBe('Success')
    expect(sink.requests).toHaveLength(2)
    const [failed] = await r.attempts(delivery.uid)
    expect(schedule.retries).toHaveLength(1)
    const [retry] = schedule.retries
    expect(retry.at).toBe(Date.parse(failed.created_at) + retry.delayMs)
    expect(retry.delayMs).toBeGreaterThanOrEqual(1000)
    expect(retry.delayMs).toBeLessThanOrEqual(1200)
    expect(schedule.arrivals[1]).toBeGreaterThanOrEqual(Date.parse(failed.created_at) + 1000)
  })

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const elsewhere = await startSink()
    const r = await startDeliveryRelay()
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}})
    for (const status of [302, 308]) {
      const sink = await startSink(() => ({status, redirect: `${elsewhere.url}/moved`}))
      const endpoint = await r.endpoint({url: sink.url})
      const delivery = await r.delivery(await r.send(endpoint.uid, {status}))
      expect(delivery.status, `${status}`).toBe('Failure')
      expect(delivery.description).toBe(`HTTP ${status}, giving up after 1 attempt (retry_count 0)`)
      const [attempt] = await r.attempts(delivery.uid)
      expect(attempt.http_status).toBe(String(status))
      expect(attempt.status).toBe(false)
      expect(attempt.response_http_header?.location).toBe(`${elsewhere.url}/moved`)
      expect(sink.requests).toHaveLength(1)
    }
    expect(elsewhere.requests).toHaveLength(0)
  })

  it('records a timeout past http_timeout as an attempt with an error', async () => {
    const sink = await startSink(() => ({hang: true}))
    const r = await startDeliveryRelay()
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}})
    await r.endpoint({url: sink.url, http_timeout: 1})

    const delivery = await r.delivery(await r.broadcast({slow: true}), undefined, 4000)
    expect(delivery.status).toBe('Failure')
    expect(delivery.description).toBe('timeout, giving up after 1 attempt (retry_count 0)')
    const [attempt] = await r.attempts(delivery.uid)
    expect(attempt.error).toBe('timed out after 1s')
    expect(attempt.http_status).toBe('')
    expect(attempt.response_data).toBe('')
    expect(attempt.latency_ms).toBeGreaterThanOrEqual(950)
    expect(sink.requests).toHaveLength(1)
  })

  it('records connection refused with an error text', async () => {
    const r = await startDeliveryRelay()
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}})
    const port = await closedPort()
    for (const host of ['127.0.0.1', 'localhost']) {
      const endpoint = await r.endpoint({url: `http://${host}:${port}/hook`})
      const delivery = await r.delivery(await r.send(endpoint.uid, {host}))
      expect(delivery.status, host).toBe('Failure')
      expect(delivery.description, host).toBe('network error ECONNREFUSED, giving up after 1 attempt (retry_count 0)')
      const [attempt] = await r.attempts(delivery.uid)
      expect(attempt.error, host).toBe('connection refused')
      expect(attempt.http_status).toBe('')
      expect(attempt.response_http_header).toBeNull()
    }
  })
})
