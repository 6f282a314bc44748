import {Chalk} from 'chalk'
import {describe, expect, it} from 'vitest'

import type {AttemptRecord} from '../../src/listen/delivery-queue.js'
import {formatAttempt} from '../../src/listen/printer.js'

const plain = new Chalk({level: 0})

const record = (over: Partial<AttemptRecord>): AttemptRecord => ({
  time: new Date(2026, 10, 23, 10, 4, 5),
  delivery_id: 'd1',
  event_id: '01JD0000000000000000000000',
  event_type: 'push',
  method: 'POST',
  path: '/webhooks',
  target: 'http://localhost:3000/webhooks',
  status: 200,
  latency_ms: 12,
  attempt: 1,
  error: '',
  retrying: false,
  ...over,
})

describe("listen's attempt lines", () => {
  it('a delivered event has no tail', () => {
    expect(formatAttempt(record({}), plain)).toBe(
      '2026-11-23 10:04:05  POST   /webhooks  push           01JD0000000000000000000000  [200] 12 ms',
    )
  })

  it('says when an event is given up as Failure: a final 5xx, a 4xx, or an error', () => {
    expect(formatAttempt(record({status: 503, attempt: 5}), plain)).toMatch(
      /\[503\] 12 ms \(attempt 5\) — given up \(Failure; replay it later\)$/,
    )
    expect(formatAttempt(record({status: 404}), plain)).toMatch(
      /\[404\] 12 ms — given up \(Failure; replay it later\)$/,
    )
    expect(formatAttempt(record({status: null, error: 'timed out after 30s'}), plain)).toMatch(
      /\[ERROR\] timed out after 30s — given up \(Failure; replay it later\)$/,
    )
  })

  it('a failure that will be retried says so instead', () => {
    expect(formatAttempt(record({status: 503, retrying: true}), plain)).toMatch(/\[503\] 12 ms — retrying$/)
    expect(formatAttempt(record({status: null, error: 'connection refused', retrying: true}), plain)).toMatch(
      /\[ERROR\] connection refused — queued, retrying$/,
    )
  })
})
