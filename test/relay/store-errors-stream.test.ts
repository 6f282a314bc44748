import {describe, expect, it} from 'vitest'

import {waitFor} from '../helpers/delivery.js'
import {holdWriteLock} from '../helpers/store-trouble.js'
import {
  attemptsOf,
  deliveriesOf,
  rawStream,
  resultFor,
  sendWebhook,
  startGateway,
  succeeded,
} from '../remote/support.js'

describe('store errors on the listener stream', () => {
  it('a listener result that cannot be recorded (write lock held elsewhere) is kept, recorded once, and not offered again', async () => {
    const g = await startGateway({busyTimeoutMs: 30, storeRetry: {minMs: 20, maxMs: 100}})
    const raw = await rawStream(g, 'busy')
    const [hello] = await raw.waitForFrames((f) => f.some((x) => x.type === 'hello'), 'hello')
    const first = await sendWebhook(hello.source.url, {seq: 0})
    await raw.waitForFrames((f) => f.some((x) => x.type === 'event'), 'the first event')

    const lock = holdWriteLock(g.dataDir)
    raw.ws.send(JSON.stringify(resultFor(raw.events()[0], 201)))
    await waitFor(() => g.logs.some((l) => l.includes('SQLITE_BUSY')), {
      what: 'the SQLITE_BUSY log line',
    })
    // Not recorded yet: the store still has it queued.
    const row = lock.db.prepare('SELECT status FROM deliveries WHERE event_id = ?').get(first) as {status: string}
    expect(row.status).toBe('Scheduled')
    expect(raw.ws.readyState).toBe(raw.ws.OPEN)

    lock.release()
    const [done] = await succeeded(g, first)
    expect((await attemptsOf(g, done.uid)).map((a) => a.http_status)).toEqual(['201'])
    // The stream carries on: the next event arrives, and the first is not offered twice.
    const second = await sendWebhook(hello.source.url, {seq: 1})
    await raw.waitForFrames((f) => f.filter((x) => x.type === 'event').length >= 2, 'the second event')
    expect(raw.events().map((e) => e.event.id)).toEqual([first, second])
    raw.ws.send(JSON.stringify(resultFor(raw.events()[1])))
    await succeeded(g, second)
    expect((await deliveriesOf(g, first))[0].status).toBe('Success')
    expect(g.logs.filter((l) => l.startsWith('store:') && l.includes('failed'))).toHaveLength(1)
  })
})
