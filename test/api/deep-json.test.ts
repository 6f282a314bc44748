import {describe, expect, it} from 'vitest'
import WebSocket from 'ws'

import {jsonDepth, MAX_JSON_DEPTH} from '../../src/store/json.js'
import {useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

const nested = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth)
/** An object `depth` levels deep (Convoy's spec types event data as an object). */
const nestedObject = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1)

/** A feed watcher that collects frames, open before it is returned. */
async function watch(url: string, projectId: string, key: string) {
  const frames: {type: string; event?: {uid: string; data: unknown; body_base64: string}}[] = []
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/api/v1/projects/${projectId}/feed`, {
    headers: {authorization: `Bearer ${key}`},
  })
  ws.on('message', (data) => frames.push(JSON.parse(data.toString())))
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  return {frames, close: () => ws.close()}
}

describe('bodies that cannot be handled as JSON (issue 10, item 5)', () => {
  it('measures depth by scanning, ignoring brackets inside strings', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3)
    expect(jsonDepth('"\\"[[["')).toBe(0)
    expect(jsonDepth(nested(5000), 64)).toBe(65)
  })

  it('stores a 5,000-level array from ingest and serves it as raw bytes: reads, the feed and ingest all keep working', async () => {
    const {relay, api, p, url, key, projectId} = await useRelay({deliver: false})
    const source = (await api('POST', p('/sources'), {name: 'deep', type: 'http', verifier: {type: 'noop'}})).json.data
    const watcher = await watch(url, projectId, key)
    const body = nested(5000)
    const ingest = await fetch(`${url}/ingest/${source.mask_id}`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body,
    })
    expect(ingest.status, await ingest.clone().text()).toBe(200)
    const id = ingest.headers.get('x-caravan-event-id')!

    const list = await api('GET', p('/events'))
    expect(list.status).toBe(200)
    const listed = list.json.data.content.find((e: {uid: string}) => e.uid === id)
    expect(listed.data).toBeNull()
    expect(Buffer.from(listed.body_base64, 'base64').toString()).toBe(body)
    expect(listed.raw).toBe(body)

    const one = await api('GET', p(`/events/${id}`))
    expect(one.status).toBe(200)
    expect(one.json.data.data).toBeNull()

    await expect.poll(() => watcher.frames.some((f) => f.type === 'event' && f.event?.uid === id)).toBe(true)
    watcher.close()

    // A body within the bound is still served as JSON.
    const ok = await fetch(`${url}/ingest/${source.mask_id}`, {method: 'POST', body: nestedObject(MAX_JSON_DEPTH)})
    const okId = ok.headers.get('x-caravan-event-id')!
    expect((await api('GET', p(`/events/${okId}`))).json.data.data).toEqual(JSON.parse(nestedObject(MAX_JSON_DEPTH)))
    expect(storeSnapshot(relay.db)).toContain(okId)
  })

  it('refuses API request bodies nested past the bound (400) without touching the store', async () => {
    const {relay, api, p, receiver} = await useRelay({deliver: false})
    const endpoint = (await api('POST', p('/endpoints'), {name: 'e', url: receiver.url})).json.data
    const before = storeSnapshot(relay.db)
    const deepData = `{"endpoint_id":"${endpoint.uid}","event_type":"x","data":${nested(MAX_JSON_DEPTH + 1)}}`
    const res = await api('POST', p('/events'), undefined, {raw: deepData})
    expect(res.status).toBe(400)
    expect(res.json.message).toMatch(/nests deeper than/)
    const deepFilter = `{"name":"s","endpoint_id":"${endpoint.uid}","filter_config":{"filter":{"body":${nested(5000, '{}')}}}}`
    expect((await api('POST', p('/subscriptions'), undefined, {raw: deepFilter})).status).toBe(400)
    expect(storeSnapshot(relay.db)).toBe(before)

    // At the bound, the event is created and its data reads back as JSON.
    const atBound = `{"endpoint_id":"${endpoint.uid}","event_type":"x","data":${nestedObject(MAX_JSON_DEPTH)}}`
    const created = await api('POST', p('/events'), undefined, {raw: atBound})
    expect(created.status).toBe(201)
    expect((await api('GET', p(`/events/${created.json.data.uid}`))).json.data.data).toEqual(
      JSON.parse(nestedObject(MAX_JSON_DEPTH)),
    )
  })
})
