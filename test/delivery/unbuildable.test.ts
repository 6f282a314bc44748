import {describe, expect, it} from 'vitest'

import {startDeliveryRelay, startSink} from '../helpers/delivery.js'

describe('delivery: a request that cannot be built', () => {
  it('is a failed attempt saying why, retried and given up, never left Processing or sent', async () => {
    const sink = await startSink()
    const r = await startDeliveryRelay()
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 1}})
    await r.endpoint({url: sink.url})
    // A store written by another build (or by hand) with a hash this one cannot sign with:
    // the API refuses such a value, so it is put in the store directly.
    r.patchConfig((config) => {
      config.signature = {
        ...config.signature,
        versions: config.signature.versions.map((v) => ({...v, hash: 'MD5' as 'SHA256'})),
      }
    })
    const delivery = await r.delivery(await r.broadcast({unsignable: true}), undefined, 15_000)
    expect(delivery.status).toBe('Failure')
    const attempts = await r.attempts(delivery.uid)
    expect(attempts).toHaveLength(2)
    for (const attempt of attempts) {
      expect(attempt.status).toBe(false)
      expect(attempt.error).toMatch(/^could not build the request: unsupported signature hash "MD5"/)
    }
    expect(sink.requests).toHaveLength(0)
  })
})
