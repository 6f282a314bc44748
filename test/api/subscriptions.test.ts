import {describe, expect, it} from 'vitest'

import {expectCompleteWalk, walkPages} from '../helpers/paging.js'
import {qs, useRelay, type TestRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

async function endpoint(t: TestRelay, name = 'ep'): Promise<string> {
  const res = await t.api('POST', t.p('/endpoints'), {name, url: t.receiver.url})
  expect(res.status).toBe(201)
  return res.json.data.uid
}

describe('subscriptions', () => {
  it('creates (201), gets, updates (202) and deletes a subscription', async () => {
    const t = await useRelay()
    const {api, p, projectId} = t
    const ep = await endpoint(t)
    const source = (await api('POST', p('/sources'), {name: 'gh', type: 'http', verifier: {type: 'noop'}})).json.data
      .uid
    const body = {
      name: 'invoices',
      endpoint_id: ep,
      source_id: source,
      filter_config: {
        event_types: ['invoice.*'],
        filter: {body: {amount: {$gte: 100}}, headers: {'x-tenant': 'acme'}},
      },
    }
    const created = await api('POST', p('/subscriptions'), body)
    expect(created.status).toBe(201)
    expect(created.json.message).toBe('Subscription created successfully')
    const sub = created.json.data
    expect(sub).toMatchObject({
      project_id: projectId,
      name: 'invoices',
      type: 'api',
      endpoint_id: ep, // Caravan extension: the ids, besides Convoy's embedded metadata
      source_id: source,
      filter_config: {
        event_types: ['invoice.*'],
        filter: {body: {amount: {$gte: 100}}, headers: {'x-tenant': 'acme'}, is_flattened: false},
      },
      endpoint_metadata: {uid: ep},
      source_metadata: {uid: source},
    })

    const got = await api('GET', p(`/subscriptions/${sub.uid}`))
    expect(got.status).toBe(200)
    expect(got.json.data).toEqual(sub)

    const ep2 = await endpoint(t, 'ep2')
    const updated = await api('PUT', p(`/subscriptions/${sub.uid}`), {
      name: 'all-invoices',
      endpoint_id: ep2,
      filter_config: {event_types: ['invoice.paid', 'invoice.voided']},
    })
    expect(updated.status).toBe(202)
    expect(updated.json.message).toBe('Subscription updated successfully')
    expect(updated.json.data).toMatchObject({
      uid: sub.uid,
      name: 'all-invoices',
      endpoint_id: ep2,
      endpoint_metadata: {uid: ep2},
      // Filters not named in the update are kept.
      filter_config: {
        event_types: ['invoice.paid', 'invoice.voided'],
        filter: {body: {amount: {$gte: 100}}, headers: {'x-tenant': 'acme'}},
      },
    })
    expect((await api('GET', p(`/subscriptions/${sub.uid}`))).json.data).toEqual(updated.json.data)

    const deleted = await api('DELETE', p(`/subscriptions/${sub.uid}`))
    expect(deleted.status).toBe(200)
    expect(deleted.json).toEqual({status: true, message: 'Subscription deleted successfully'})
    expect((await api('GET', p(`/subscriptions/${sub.uid}`))).status).toBe(404)
    expect((await api('DELETE', p(`/subscriptions/${sub.uid}`))).status).toBe(404)
  })

  it('defaults to every event type when none are given', async () => {
    const t = await useRelay()
    const ep = await endpoint(t)
    const res = await t.api('POST', t.p('/subscriptions'), {name: 'all', endpoint_id: ep})
    expect(res.status).toBe(201)
    expect(res.json.data.filter_config).toEqual({
      event_types: ['*'],
      filter: {body: {}, headers: {}, is_flattened: false},
    })
    expect(res.json.data.source_id).toBe('')
  })

  it('rejects bad input with 400 naming the field, and stores nothing', async () => {
    const t = await useRelay()
    const ep = await endpoint(t)
    const cases: [unknown, RegExp][] = [
      [{endpoint_id: ep}, /^name is required/],
      [{name: 's'}, /^endpoint_id is required/],
      [{name: 's', endpoint_id: UNKNOWN}, new RegExp(`^endpoint_id: endpoint ${UNKNOWN} not found`)],
      [{name: 's', endpoint_id: ep, source_id: UNKNOWN}, new RegExp(`^source_id: source ${UNKNOWN} not found`)],
      [
        {name: 's', endpoint_id: ep, filter_config: {event_types: ['']}},
        /^filter_config\.event_types\[0\]: event type pattern must not be empty/,
      ],
      [
        {name: 's', endpoint_id: ep, filter_config: {event_types: 'invoice.*'}},
        /^filter_config\.event_types must be an array of strings/,
      ],
      [
        {name: 's', endpoint_id: ep, filter_config: {filter: {body: {amount: {$foo: 1}}}}},
        /^filter_config\.filter\.body\.amount: unknown operator "\$foo"/,
      ],
      [
        {name: 's', endpoint_id: ep, filter_config: {filter: {headers: {$bogus: 'x'}}}},
        /^filter_config\.filter\.headers: unknown operator "\$bogus"/,
      ],
      [
        {name: 's', endpoint_id: ep, filter_config: {filter: {body: {tags: {$in: 'a'}}}}},
        /^filter_config\.filter\.body\.tags: \$in needs an array/,
      ],
      [
        {name: 's', endpoint_id: ep, filter_config: {filter: {body: {$or: []}}}},
        /^filter_config\.filter\.body: \$or needs a non-empty array/,
      ],
      [
        {name: 's', endpoint_id: ep, filter_config: {filter: {body: {a: {$gt: 1, b: 2}}}}},
        /^filter_config\.filter\.body\.a: cannot mix operators/,
      ],
      [
        {name: 's', endpoint_id: ep, filter_config: {filter: {body: {a: {$regex: '('}}}}},
        /^filter_config\.filter\.body\.a: \$regex is not a valid regular expression/,
      ],
    ]
    for (const [body, message] of cases) {
      const res = await t.api('POST', t.p('/subscriptions'), body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json).toMatchObject({status: false, message: expect.stringMatching(message)})
    }
    expect((await t.api('GET', t.p('/subscriptions'))).json.data.content).toEqual([])
  })

  it('leaves the subscription untouched when an update is rejected', async () => {
    const t = await useRelay()
    const ep = await endpoint(t)
    const sub = (
      await t.api('POST', t.p('/subscriptions'), {name: 'keep', endpoint_id: ep, filter_config: {event_types: ['a.*']}})
    ).json.data
    for (const body of [
      {name: 'changed', endpoint_id: UNKNOWN},
      {name: 'changed', filter_config: {event_types: ['b.*'], filter: {body: {x: {$nope: 1}}}}},
      {name: 'changed', filter_config: {event_types: ['has space']}},
    ]) {
      const res = await t.api('PUT', t.p(`/subscriptions/${sub.uid}`), body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    expect((await t.api('GET', t.p(`/subscriptions/${sub.uid}`))).json.data).toEqual(sub)
  })

  it('answers 404 for unknown subscription ids', async () => {
    const {api, p} = await useRelay()
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', {name: 'x'}],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(method, p(`/subscriptions/${UNKNOWN}`), body)
      expect(res.status, method).toBe(404)
      expect(res.json.message).toBe(`subscription ${UNKNOWN} not found`)
    }
  })

  it('filters by endpoint and name, and pages through 45 subscriptions both ways', async () => {
    const t = await useRelay()
    const a = await endpoint(t, 'a')
    const b = await endpoint(t, 'b')
    const ids: string[] = []
    for (let i = 0; i < 45; i++) {
      ids.push(
        (await t.api('POST', t.p('/subscriptions'), {name: `sub-${i}`, endpoint_id: i % 3 === 0 ? b : a})).json.data
          .uid,
      )
    }
    const byB = await t.api('GET', t.p('/subscriptions') + qs({endpointId: b, perPage: 100}))
    expect(byB.json.data.content).toHaveLength(15)
    expect(byB.json.data.content.every((s: {endpoint_id: string}) => s.endpoint_id === b)).toBe(true)
    const byName = await t.api('GET', t.p('/subscriptions') + qs({name: 'sub-7'}))
    expect(byName.json.data.content.map((s: {uid: string}) => s.uid)).toEqual([ids[7]])

    for (const sort of ['DESC', 'ASC'] as const) {
      expectCompleteWalk(await walkPages(t.api, t.p('/subscriptions'), {perPage: 7, sort}), ids, 7, sort)
    }
  })
})
