import {describe, expect, it} from 'vitest'

import {waitFor} from '../helpers/delivery.js'
import {createEndpoint, sendEvent} from '../helpers/fixtures.js'
import {qs, useRelay} from '../helpers/relay.js'

describe('transformations', () => {
  it('a subscription function rewrites the payload sent (and signed); the stored event is unchanged', async () => {
    const t = await useRelay()
    const endpointId = await createEndpoint(t, {secret: 'sekrit'})
    const sub = await t.api('POST', t.p('/subscriptions'), {
      name: 's',
      endpoint_id: endpointId,
      function: 'function transform(payload) { return {id: payload.id, cents: payload.amount * 100} }',
    })
    expect(sub.status, JSON.stringify(sub.json)).toBe(201)
    expect(sub.json.data.function).toMatch(/^function transform/)
    const event = await sendEvent(t, 'endpoint', {
      endpoint_id: endpointId,
      event_type: 'x',
      data: {id: 'i1', amount: 12},
    })
    const got = await waitFor(() => t.receiver.requests.find((r) => r.url === '/hook'))
    expect(JSON.parse(got.body.toString())).toEqual({id: 'i1', cents: 1200})
    const {createHmac} = await import('node:crypto')
    expect(got.headers['x-convoy-signature']).toBe(createHmac('sha256', 'sekrit').update(got.body).digest('hex'))
    expect((await t.api('GET', t.p(`/events/${event.uid}`))).json.data.data).toEqual({id: 'i1', amount: 12})
  })

  it('a function that loops forever is stopped, and the attempt records why', async () => {
    const t = await useRelay()
    const project = (await t.api('GET', t.p())).json.data
    await t.api('PUT', t.p(), {
      name: project.name,
      config: {...project.config, strategy: {...project.config.strategy, retry_count: 0}},
    })
    const endpointId = await createEndpoint(t)
    await t.api('POST', t.p('/subscriptions'), {
      name: 's',
      endpoint_id: endpointId,
      function: 'function transform(payload) { for (;;) {} }',
    })
    const event = await sendEvent(t, 'endpoint', {endpoint_id: endpointId, event_type: 'x', data: {}})
    const delivery = await waitFor(async () => {
      const [d] = (await t.api('GET', t.p('/eventdeliveries') + qs({eventId: event.uid}))).json.data.content
      return d?.status === 'Failure' ? d : undefined
    })
    const attempts = (await t.api('GET', t.p(`/eventdeliveries/${delivery.uid}/deliveryattempts`))).json.data
    expect(attempts).toHaveLength(1)
    expect(attempts[0].error).toBe(
      'transformation failed (subscription function): the function ran longer than 100 ms and was stopped',
    )
    expect(t.receiver.requests).toHaveLength(0)
  })

  it('source body and header functions shape deliveries of ingested requests', async () => {
    const t = await useRelay()
    const source = await t.api('POST', t.p('/sources'), {
      name: 'gh',
      type: 'http',
      verifier: {type: 'noop'},
      body_function: 'function transform(p) { return {action: p.action, source: "github"} }',
      header_function: 'function transform(h) { return {"x-github-event": h["x-github-event"], "x-extra": "1"} }',
    })
    expect(source.status, JSON.stringify(source.json)).toBe(201)
    const endpointId = await createEndpoint(t)
    await t.api('POST', t.p('/subscriptions'), {name: 's', endpoint_id: endpointId, source_id: source.json.data.uid})
    const ingest = await fetch(source.json.data.url, {
      method: 'POST',
      headers: {'content-type': 'application/json', 'x-github-event': 'push'},
      body: JSON.stringify({action: 'opened', big: 'x'.repeat(100)}),
    })
    expect(ingest.status).toBe(200)
    const got = await waitFor(() => t.receiver.requests.find((r) => r.url === '/hook'))
    expect(JSON.parse(got.body.toString())).toEqual({action: 'opened', source: 'github'})
    expect(got.headers).toMatchObject({'x-github-event': 'push', 'x-extra': '1'})
  })

  it('test_function routes run a function on a sample; bad functions are refused on save', async () => {
    const t = await useRelay({deliver: false})
    const ok = await t.api('POST', t.p('/subscriptions/test_function'), {
      payload: {a: 1},
      function: 'function transform(p) { console.log("a is", p.a); p.b = 2; return p }',
    })
    expect(ok.status).toBe(200)
    expect(ok.json.data).toEqual({payload: {a: 1, b: 2}, log: ['a is 1']})
    const header = await t.api('POST', t.p('/sources/test_function'), {
      type: 'header',
      payload: {'x-a': '1'},
      function: 'function transform(h) { return {...h, "x-b": "2"} }',
    })
    expect(header.json.data.payload).toEqual({'x-a': '1', 'x-b': '2'})
    const loops = await t.api('POST', t.p('/subscriptions/test_function'), {
      payload: {},
      function: 'function transform(p) { while(1){} }',
    })
    expect(loops.status).toBe(400)
    expect(loops.json.message).toBe('function failed: the function ran longer than 100 ms and was stopped')

    const endpointId = await createEndpoint(t)
    const bad = await t.api('POST', t.p('/subscriptions'), {
      name: 's',
      endpoint_id: endpointId,
      function: 'function transform(p) {',
    })
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/^function: SyntaxError/)
    expect((await t.api('GET', t.p('/subscriptions'))).json.data.content).toEqual([])
  })
})
