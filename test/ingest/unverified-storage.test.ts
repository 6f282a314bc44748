import {createHash, randomBytes} from 'node:crypto'

import {describe, expect, it} from 'vitest'

import {createSource, eventsOf, getEvent, rawRequest} from '../helpers/listen.js'
import {useRelay} from '../helpers/relay.js'

/**
 * Issue 10 item 8: a request that failed verification keeps what debugging a signature needs
 * (headers, size, SHA-256, the head of the body, flagged as truncated), and each source keeps
 * only its newest unverified requests, so unsigned traffic cannot fill the disk.
 */

const storedBytes = (t: Awaited<ReturnType<typeof useRelay>>) =>
  t.relay.db.prepare('SELECT COALESCE(SUM(length(body) + length(headers)), 0) FROM events').pluck().get() as number

describe('unverified requests in the store', () => {
  it('keep headers, size, sha256 and the first 4 KiB, flagged; verified ones keep every byte', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'gh', provider: 'github', verifier: {secret: 'gh-secret'}})
    const body = randomBytes(1024 * 1024)
    const res = await rawRequest(source.url, {
      headers: {
        'content-type': 'application/octet-stream',
        'x-hub-signature-256': 'sha256=00',
        'x-github-event': 'push',
      },
      body,
    })
    expect(res.status).toBe(401)
    const event = await getEvent(t, res.headers['x-caravan-event-id'] as string)
    expect(event).toMatchObject({
      body_truncated: true,
      body_size: body.length,
      body_sha256: createHash('sha256').update(body).digest('hex'),
      event_type: 'push',
      failure_reason: 'signature mismatch (X-Hub-Signature-256)',
    })
    expect(event.headers['x-hub-signature-256']).toEqual(['sha256=00'])
    expect(Buffer.from(event.body_base64, 'base64').equals(body.subarray(0, 4096))).toBe(true)

    // A small unverified body and any verified one are kept whole and say so.
    const small = await rawRequest(source.url, {headers: {'x-hub-signature-256': 'sha256=00'}, body: 'tiny'})
    expect(await getEvent(t, small.headers['x-caravan-event-id'] as string)).toMatchObject({
      body_truncated: false,
      body_size: 4,
      body_sha256: '',
    })
    const noop = await createSource(t, {name: 'open'})
    const whole = await rawRequest(noop.url, {body})
    expect(whole.status).toBe(200)
    const kept = await getEvent(t, whole.headers['x-caravan-event-id'] as string)
    expect(kept.body_truncated).toBe(false)
    expect(Buffer.from(kept.body_base64, 'base64').equals(body)).toBe(true)
  })

  it('are capped per source: the oldest unverified ones go, verified ones and other sources stay', async () => {
    const t = await useRelay({ingest: {unverified: {bodyBytes: 1024, perSource: 5, bytesPerSource: 1024 * 1024}}})
    const signed = await createSource(t, {name: 'gh', provider: 'github', verifier: {secret: 'gh-secret'}})
    const other = await createSource(t, {name: 'other', provider: 'github', verifier: {secret: 'gh-secret'}})
    const open = await createSource(t, {name: 'open'})
    await rawRequest(other.url, {body: 'other source'})
    for (let i = 0; i < 3; i++) expect((await rawRequest(open.url, {body: `ok ${i}`})).status).toBe(200)
    const ids: string[] = []
    for (let i = 0; i < 20; i++) {
      const res = await rawRequest(signed.url, {body: Buffer.alloc(1024 * 1024, i)})
      expect(res.status).toBe(401)
      ids.push(res.headers['x-caravan-event-id'] as string)
    }
    expect((await eventsOf(t, signed.uid)).map((e) => e.uid)).toEqual(ids.slice(-5))
    expect(await eventsOf(t, other.uid)).toHaveLength(1)
    expect(await eventsOf(t, open.uid)).toHaveLength(3)
    expect(storedBytes(t)).toBeLessThan(64 * 1024)
  })

  it('are capped by bytes too, counting headers', async () => {
    const t = await useRelay({ingest: {unverified: {bodyBytes: 4096, perSource: 1000, bytesPerSource: 22_000}}})
    const signed = await createSource(t, {name: 'gh', provider: 'github', verifier: {secret: 'gh-secret'}})
    for (let i = 0; i < 30; i++) {
      const res = await rawRequest(signed.url, {headers: {'x-padding': 'p'.repeat(1000)}, body: Buffer.alloc(8192, i)})
      expect(res.status).toBe(401)
    }
    const kept = await eventsOf(t, signed.uid)
    // Each keeps 4096 body bytes plus about 1.1 KB of headers: four fit in 22,000 bytes.
    expect(kept).toHaveLength(4)
    expect(kept.every((e) => e.body_truncated && e.body_size === 8192)).toBe(true)
  })
})
