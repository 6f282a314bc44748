import {describe, expect, it} from 'vitest'

import {CircuitBreaker} from '../../src/delivery/circuit-breaker.js'
import {isFinal, startDeliveryRelay, startSink, waitFor} from '../helpers/delivery.js'

const T0 = 1_000_000

describe('circuit breaker bounded by the retry schedule (pure, injected clock)', () => {
  it('a failure that carries its next retry time pulls the probe forward to it', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 30_000})
    breaker.recordFailure(T0, T0 + 10_000)
    expect(breaker.state(T0 + 9_999)).toBe('open')
    expect(breaker.retryAt()).toBe(T0 + 10_000)
    expect(breaker.canSend(T0 + 10_000)).toBe(true) // the probe, on the retry schedule
  })

  it('a cool-down grown to its 10 min cap still probes at the next scheduled retry (the 60 s outage)', () => {
    // Linear 10 s retries, endpoint down from T0 for 60 s: each failed probe doubles the cool-down.
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 30_000, maxCooldownMs: 600_000})
    let t = T0
    breaker.recordFailure(t, t + 10_000)
    const probes: number[] = []
    while (t < T0 + 60_000) {
      t = breaker.retryAt()!
      expect(breaker.canSend(t)).toBe(true)
      probes.push(t - T0)
      if (t < T0 + 60_000) breaker.recordFailure(t, t + 10_000)
      else breaker.recordSuccess(t)
    }
    expect(breaker.snapshot(t).state).toBe('closed')
    // One probe per retry interval, and the first after the outage right on schedule.
    expect(probes).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000])
  })

  it('deliveries turned away while open bound the probe too; a later retry never delays it', () => {
    const breaker = new CircuitBreaker({failureThreshold: 1, cooldownMs: 60_000})
    breaker.recordFailure(T0, null) // retries exhausted: only the cool-down applies
    expect(breaker.retryAt()).toBe(T0 + 60_000)
    breaker.probeNoLaterThan(T0 + 80_000)
    expect(breaker.retryAt()).toBe(T0 + 60_000)
    breaker.probeNoLaterThan(T0 + 5_000)
    expect(breaker.retryAt()).toBe(T0 + 5_000)
    // A late failure of a request sent before the breaker opened can only pull it in.
    breaker.recordFailure(T0 + 100, T0 + 3_000)
    expect(breaker.retryAt()).toBe(T0 + 3_000)
    expect(breaker.state(T0 + 2_999)).toBe('open')
  })
})

describe('delivery: circuit breaker and the retry schedule', () => {
  it(
    'reports cb_state, turns due deliveries away as "circuit open" attempts, and probes on schedule',
    {timeout: 30_000},
    async () => {
      let up = false
      const sink = await startSink(() => ({status: up ? 200 : 500}))
      const r = await startDeliveryRelay()
      // A minute's cool-down: without the schedule bound nothing would be sent again within this test.
      await r.configure({
        circuit_breaker: {consecutive_failure_threshold: 1, error_timeout: 60},
        strategy: {type: 'linear', duration: 2, retry_count: 5},
      })
      const endpoint = await r.endpoint({url: sink.url})
      const cbState = async () => (await r.ok('GET', r.p(`/endpoints/${endpoint.uid}`))).cb_state as string
      expect(await cbState()).toBe('closed')

      const first = await r.broadcast({n: 'first'})
      await sink.waitForRequests(1)
      await waitFor(async () => (await cbState()) === 'open', {what: 'cb_state open'})
      const listed = await r.ok('GET', r.p('/endpoints'))
      expect(listed.content.find((e: {uid: string}) => e.uid === endpoint.uid).cb_state).toBe('open')
      // The copies embedded in subscriptions and deliveries say the same.
      const subscriptions = await r.ok('GET', r.p('/subscriptions'))
      expect(subscriptions.content[0].endpoint_metadata.cb_state).toBe('open')
      const [firstDelivery] = await r.deliveriesOf(first)
      expect(firstDelivery.endpoint_metadata.cb_state).toBe('open')

      // Due now while the breaker is open: not sent, but the attempt is spent and recorded.
      const second = await r.broadcast({n: 'second'})
      const turnedAway = await r.delivery(second, (d) => d.metadata.num_trials === 1)
      expect(turnedAway.status).toBe('Retry')
      expect(turnedAway.description).toMatch(/^circuit open, retry 1\/5 in \d/)
      const [awayAttempt] = await r.attempts(turnedAway.uid)
      expect(awayAttempt.error).toMatch(
        /^circuit open: not sent, the endpoint failed 1 time in a row; next probe at \d{4}-/,
      )
      expect(awayAttempt.http_status).toBe('')
      expect(sink.requests).toHaveLength(1)

      up = true
      const done = await Promise.all([first, second].map((id) => r.delivery(id, isFinal, 10_000)))
      expect(done.map((d) => d.status)).toEqual(['Success', 'Success'])
      expect(await cbState()).toBe('closed')
      // One failure, the probe, and the other delivery once the breaker closed: nothing more.
      expect(sink.requests).toHaveLength(3)
      expect((await r.attempts(done[1].uid)).map((a) => a.http_status)).toEqual(['', '200'])
    },
  )

  it(
    'with disable_endpoint, retries exhaust on schedule while the breaker is open and the endpoint is disabled',
    {timeout: 30_000},
    async () => {
      const sink = await startSink(() => ({status: 500}))
      const r = await startDeliveryRelay()
      await r.configure({
        circuit_breaker: {consecutive_failure_threshold: 1, error_timeout: 60},
        strategy: {type: 'linear', duration: 2, retry_count: 2},
        disable_endpoint: true,
      })
      const endpoint = await r.endpoint({url: sink.url})
      const first = await r.broadcast({n: 'first'})
      await sink.waitForRequests(1)
      const second = await r.broadcast({n: 'second'})

      await waitFor(async () => (await r.ok('GET', r.p(`/endpoints/${endpoint.uid}`))).status === 'inactive', {
        timeoutMs: 15_000,
        what: 'endpoint disabled',
      })
      const a = await r.delivery(first, isFinal)
      const b = await r.delivery(second, isFinal)
      // Whichever ran out first used all of retry_count + 1 attempts and disabled the endpoint.
      const trials = [a, b].filter((d) => d.status === 'Failure').map((d) => d.metadata.num_trials)
      expect(trials).toContain(3)
      expect(['Failure', 'Discarded']).toContain(b.status)
      const bAttempts = await r.attempts(b.uid)
      expect(bAttempts[0].error).toMatch(/^circuit open: not sent/)
      // The breaker saved the endpoint at least the turned-away request.
      const spent = (await r.attempts(a.uid)).length + bAttempts.length
      expect(sink.requests.length).toBeLessThan(spent)
    },
  )
})
