import {describe, expect, it, onTestFinished} from 'vitest'

import {DeliveryQueue} from '../../src/listen/delivery-queue.js'
import {Forwarder} from '../../src/listen/forwarder.js'
import type {EventFrame, ResultFrame} from '../../src/relay/stream-protocol.js'
import {closedPort, type SinkReply, startSink, waitFor} from '../helpers/delivery.js'

function frame(seq: number): EventFrame {
  return {
    type: 'event',
    cursor: String(seq),
    delivery_id: `dlv_${seq}`,
    attempt: 1,
    event: {
      id: `evt_${seq}`,
      event_type: 'test.event',
      method: 'POST',
      path: '',
      query: '',
      headers: {'content-type': ['application/json']},
      body_base64: Buffer.from(JSON.stringify({seq})).toString('base64'),
      created_at: new Date(0).toISOString(),
      source_id: 'src_1',
    },
  }
}

/** A queue forwarding to `target`, with what it reported and said kept for the test. */
function queueTo(target: string, concurrency?: number) {
  const forwarder = new Forwarder()
  const results: ResultFrame[] = []
  const notices: string[] = []
  const queue = new DeliveryQueue({
    forwarder,
    target: new URL(target),
    report: (r) => results.push(r),
    onAttempt: () => undefined,
    onWaiting: (message) => notices.push(message),
    concurrency,
  })
  onTestFinished(async () => {
    queue.stop()
    await forwarder.close()
  })
  const finals = () => results.filter((r) => r.final)
  return {queue, results, notices, finals}
}

/** A sink that holds every answer until release(), counting how many requests it holds at once. */
async function heldSink(reply: (seq: number) => SinkReply = () => ({status: 200})) {
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let open = 0
  let most = 0
  const sink = await startSink((request) => {
    open++
    most = Math.max(most, open)
    const seq = (JSON.parse(request.body.toString()) as {seq: number}).seq
    return {...reply(seq), until: released.finally(() => open--)}
  })
  onTestFinished(() => sink.close())
  return {sink, release, most: () => most}
}

const seqOf = (body: Buffer) => (JSON.parse(body.toString()) as {seq: number}).seq

describe('listen: the delivery queue', () => {
  it('by default forwards one at a time, in order of arrival', async () => {
    const sink = await startSink(() => ({delayMs: 5}))
    onTestFinished(() => sink.close())
    const q = queueTo(sink.url)
    for (let seq = 0; seq < 5; seq++) q.queue.push(frame(seq))
    expect(q.queue.length).toBe(5)
    await waitFor(() => q.finals().length === 5, {what: 'five results'})
    expect(sink.requests.map((r) => seqOf(r.body))).toEqual([0, 1, 2, 3, 4])
    // Each request arrived only after the previous one was answered.
    for (let i = 1; i < 5; i++)
      expect(sink.requests[i].at).toBeGreaterThanOrEqual(sink.requests[i - 1].respondedAt ?? Infinity)
    expect(q.queue.length).toBe(0)
  })

  it('--concurrency 4: four forwards at once, never a fifth, every event delivered once', async () => {
    const held = await heldSink()
    const q = queueTo(held.sink.url, 4)
    for (let seq = 0; seq < 10; seq++) q.queue.push(frame(seq))
    await held.sink.waitForRequests(4)
    expect(q.queue.length).toBe(10)
    held.release()
    await waitFor(() => q.finals().length === 10, {what: 'ten results'})
    expect(held.most()).toBe(4)
    expect(new Set(held.sink.requests.map((r) => seqOf(r.body)))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]))
    expect(held.sink.requests).toHaveLength(10)
    expect(q.finals().every((r) => r.status === 200)).toBe(true)
  })

  it('--concurrency: a 5xx is still retried while the others go on; nothing is given up early', async () => {
    let failuresLeft = 1
    const sink = await startSink((request) => {
      if (seqOf(request.body) === 0 && failuresLeft > 0) {
        failuresLeft--
        return {status: 503}
      }
      return {status: 200}
    })
    onTestFinished(() => sink.close())
    const q = queueTo(sink.url, 3)
    for (let seq = 0; seq < 4; seq++) q.queue.push(frame(seq))
    await waitFor(() => q.finals().length === 4, {what: 'four final results', timeoutMs: 10_000})
    const first = q.results.filter((r) => r.delivery_id === 'dlv_0')
    expect(first.map((r) => [r.status, r.final])).toEqual([
      [503, false],
      [200, true],
    ])
    // The others did not wait for event 0's retry.
    const firstRetryAt = sink.requests.filter((r) => seqOf(r.body) === 0)[1].at
    for (const seq of [1, 2, 3]) expect(sink.requests.find((r) => seqOf(r.body) === seq)!.at).toBeLessThan(firstRetryAt)
  })

  it('--concurrency: an app that is down is announced once, and once when it is back', async () => {
    const port = await closedPort()
    const q = queueTo(`http://127.0.0.1:${port}/hooks`, 3)
    for (let seq = 0; seq < 3; seq++) q.queue.push(frame(seq))
    await waitFor(() => q.results.length === 3, {what: 'three first failures'})
    expect(q.results.every((r) => !r.final && r.status === null)).toBe(true)
    expect(q.notices).toEqual([`waiting for 127.0.0.1:${port} to come back`])
    const app = await startSink(() => ({status: 200}), port)
    onTestFinished(() => app.close())
    await waitFor(() => q.finals().length === 3, {what: 'three deliveries once the app is back', timeoutMs: 10_000})
    expect(q.notices).toEqual([`waiting for 127.0.0.1:${port} to come back`, `127.0.0.1:${port} is back; delivering`])
  })
})
