import {describe, expect, it} from 'vitest'

import {GatewayClient} from '../../src/client/gateway-client.js'
import {holdWriteLock, fillStore} from '../helpers/store-trouble.js'
import {inOrder, startDeliveryRelay, startSink, waitFor} from '../helpers/delivery.js'

/** Relay options for store trouble: a short busy timeout and quick back-off, logs kept. */
function troubleOptions() {
  const logs: string[] = []
  return {logs, opts: {busyTimeoutMs: 30, storeRetry: {minMs: 20, maxMs: 100}, log: (line: string) => logs.push(line)}}
}

const health = async (url: string) => {
  const res = await fetch(`${url}/healthz`)
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- healthz JSON read freely
  return {status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as any}
}

describe('store errors in the delivery loop', () => {
  it('a result that cannot be recorded (write lock held elsewhere) is kept and recorded once the lock is gone', async () => {
    const {logs, opts} = troubleOptions()
    const r = await startDeliveryRelay(opts)
    let answer!: () => void
    const gate = new Promise<void>((resolve) => (answer = resolve))
    const sink = await startSink(inOrder([{status: 200, until: gate}]))
    const endpoint = await r.endpoint({url: sink.url})
    const eventId = await r.send(endpoint.uid, {n: 1})
    await sink.waitForRequests(1)

    // The sink answers while another process holds the write lock: the result cannot be written.
    const lock = holdWriteLock(r.dataDir)
    answer()
    await waitFor(() => logs.some((l) => l.includes('SQLITE_BUSY')), {what: 'the SQLITE_BUSY log line'})
    const during = await health(r.relay.url)
    expect(during.status).toBe(503)
    expect(during.json.data.store).toMatchObject({status: 'failing', code: expect.stringMatching(/^SQLITE_BUSY/)})
    // What `caravan status` reads: up, a Caravan relay, its store failing (not "down").
    expect(await new GatewayClient(r.relay.url, undefined).health()).toMatchObject({
      ok: true,
      caravan: true,
      storeFailing: expect.stringContaining('SQLITE_BUSY'),
    })
    // Several retries have failed by now; the condition is logged once.
    await waitFor(() => (r.relay.dispatcher as unknown as {debts: Map<string, unknown>}).debts.size === 1)
    const row = lock.db.prepare('SELECT status FROM deliveries WHERE event_id = ?').get(eventId) as {status: string}
    expect(row.status).toBe('Processing')

    lock.release()
    const done = await r.delivery(eventId)
    expect(done.status).toBe('Success')
    expect(done.metadata.num_trials).toBe(1)
    expect(await r.attempts(done.uid)).toHaveLength(1)
    expect(sink.requests).toHaveLength(1)
    expect(logs.filter((l) => l.startsWith('store:') && l.includes('failed'))).toHaveLength(1)
    expect(logs.filter((l) => l.includes('writable again'))).toHaveLength(1)
    await waitFor(async () => (await health(r.relay.url)).status === 200, {what: 'healthz 200 again'})
  })

  it('a stop while a result is still unrecorded leaves the delivery to be sent again on the next start (at-least-once)', async () => {
    const {logs, opts} = troubleOptions()
    const r = await startDeliveryRelay(opts)
    let answer!: () => void
    const gate = new Promise<void>((resolve) => (answer = resolve))
    const sink = await startSink(inOrder([{status: 200, until: gate}]))
    const endpoint = await r.endpoint({url: sink.url})
    const eventId = await r.send(endpoint.uid, {n: 1})
    await sink.waitForRequests(1)
    const lock = holdWriteLock(r.dataDir)
    answer()
    await waitFor(() => (r.relay.dispatcher as unknown as {debts: Map<string, unknown>}).debts.size === 1)
    await r.stop()
    expect(logs).toContain(
      '1 delivery results could not be recorded (store unavailable); those deliveries go out again on the next start (at-least-once)',
    )
    lock.release()

    const again = await startDeliveryRelay({...opts, dataDir: r.dataDir, apiKey: r.key})
    const done = await again.delivery(eventId)
    expect(done).toMatchObject({status: 'Success', metadata: {num_trials: 1}})
    expect(sink.requests).toHaveLength(2)
    expect(logs).toContain('rescheduled 1 deliveries left in flight by an earlier stop')
  })

  it('the loop survives a failed claim (SQLITE_BUSY when a retry falls due) and sends once the lock is gone', async () => {
    const {logs, opts} = troubleOptions()
    const r = await startDeliveryRelay(opts)
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 3}})
    const sink = await startSink(inOrder([{status: 500}]))
    const endpoint = await r.endpoint({url: sink.url})
    const eventId = await r.send(endpoint.uid, {n: 1})
    const retrying = await r.delivery(eventId, (d) => d.status === 'Retry')
    expect(retrying.metadata.num_trials).toBe(1)

    const lock = holdWriteLock(r.dataDir)
    // The retry falls due within a second; its claim fails and the loop backs off. The claim
    // rides the relay's group commit, so the failure may be logged as that commit's.
    const loopOrCommit = (l: string) => l.includes('the delivery loop failed') || l.includes('committing writes failed')
    await waitFor(() => logs.some((l) => loopOrCommit(l) && l.includes('SQLITE_BUSY')), {
      timeoutMs: 5000,
      what: 'the delivery loop to hit the lock',
    })
    expect(sink.requests).toHaveLength(1)
    lock.release()
    const done = await r.delivery(eventId)
    expect(done).toMatchObject({status: 'Success', metadata: {num_trials: 2}})
    expect(sink.requests).toHaveLength(2)
  })

  it('a full store (SQLITE_FULL) keeps the result in memory; it is recorded when space returns', async () => {
    const {logs, opts} = troubleOptions()
    const r = await startDeliveryRelay(opts)
    let answer!: () => void
    const gate = new Promise<void>((resolve) => (answer = resolve))
    // A large answer: its stored attempt needs new pages.
    const sink = await startSink(inOrder([{status: 200, body: 'x'.repeat(40_000), until: gate}]))
    const endpoint = await r.endpoint({url: sink.url})
    const eventId = await r.send(endpoint.uid, {n: 1})
    await sink.waitForRequests(1)
    r.relay.db.pragma('wal_checkpoint(TRUNCATE)')
    const full = fillStore(r.relay.db)
    answer()
    await waitFor(() => logs.some((l) => l.includes('SQLITE_FULL')), {what: 'the SQLITE_FULL log line'})
    expect((await health(r.relay.url)).json.data.store.status).toBe('failing')
    expect((await r.deliveriesOf(eventId))[0].status).toBe('Processing')

    full.release()
    const done = await r.delivery(eventId)
    expect(done).toMatchObject({status: 'Success', metadata: {num_trials: 1}})
    expect(await r.attempts(done.uid)).toHaveLength(1)
    expect(sink.requests).toHaveLength(1)
    await waitFor(async () => (await health(r.relay.url)).json.data.store.status === 'ok')
  })
})

describe('store errors at the API and ingest', () => {
  it('answers 503 with Retry-After while the write lock is held elsewhere, stores nothing, then accepts again', async () => {
    const {opts} = troubleOptions()
    const r = await startDeliveryRelay(opts)
    const before = await r.ok('GET', r.p('/events?perPage=100'))
    const lock = holdWriteLock(r.dataDir)
    const rejected = await r.api('POST', r.p('/events/broadcast'), {event_type: 'x', data: {n: 1}})
    expect(rejected.status).toBe(503)
    expect(rejected.json.message).toMatch(
      /store unavailable: another process holds the store's write lock \(SQLITE_BUSY/,
    )
    const res = await fetch(`${r.relay.url}${r.p('/events/broadcast')}`, {
      method: 'POST',
      headers: {authorization: `Bearer ${r.key}`, 'content-type': 'application/json'},
      body: JSON.stringify({event_type: 'x', data: {n: 2}}),
    })
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('5')
    const during = await health(r.relay.url)
    expect(during).toMatchObject({status: 503, retryAfter: '5'})
    lock.release()
    expect((await r.ok('GET', r.p('/events?perPage=100'))).content).toHaveLength(before.content.length)
    expect((await r.api('POST', r.p('/events/broadcast'), {event_type: 'x', data: {n: 3}})).status).toBe(201)
    expect((await health(r.relay.url)).status).toBe(200)
  })

  it('ingest answers 503 with Retry-After on a full store and 200 once space returns; the relay never stops', async () => {
    const {logs, opts} = troubleOptions()
    const r = await startDeliveryRelay(opts)
    const source = await r.ok('POST', r.p('/sources'), {name: 'in', type: 'http', verifier: {type: 'noop'}})
    const ingest = (body: string) => fetch(source.url, {method: 'POST', body, headers: {'content-type': 'text/plain'}})
    expect((await ingest('warm-up')).status).toBe(200)
    r.relay.db.pragma('wal_checkpoint(TRUNCATE)')
    const full = fillStore(r.relay.db)
    const big = 'y'.repeat(200_000)
    for (let i = 0; i < 3; i++) {
      const res = await ingest(big)
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('5')
      expect(((await res.json()) as {message: string}).message).toMatch(/full.*SQLITE_FULL/)
    }
    expect((await health(r.relay.url)).status).toBe(503)
    expect(logs.filter((l) => l.includes('SQLITE_FULL'))).toHaveLength(1)
    full.release()
    expect((await ingest(big)).status).toBe(200)
    expect((await health(r.relay.url)).status).toBe(200)
    const stored = (await r.ok('GET', r.p(`/events?perPage=100&sourceId=${source.uid}`))).content
    expect(stored).toHaveLength(2)
  })
})
