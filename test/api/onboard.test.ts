import {describe, expect, it} from 'vitest'

import {useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

describe('bulk onboarding', () => {
  it('dry run reports exactly what a real run then does, creating nothing', async () => {
    const t = await useRelay({deliver: false})
    await t.api('POST', t.p('/endpoints'), {name: 'old', url: `${t.receiver.url}/old`})
    const items = [
      {name: 'a', url: `${t.receiver.url}/a`, event_type: 'invoice.paid'},
      {name: 'b', url: `${t.receiver.url}/b`, auth_username: 'u', auth_password: 'p'},
      {name: 'c', url: 'not a url'},
      {name: 'old again', url: `${t.receiver.url}/old`},
      {name: 'd', url: `${t.receiver.url}/d`, auth_username: 'u'},
    ]
    const before = storeSnapshot(t.relay.db)
    const dry = await t.api('POST', t.p('/onboard?dry_run=true'), {items})
    expect(dry.status).toBe(200)
    expect(dry.json.data).toEqual({
      total_rows: 5,
      valid_count: 2,
      errors: [
        {row: 3, field: 'url', message: 'url is not a valid URL: "not a url"'},
        {row: 4, field: 'url', message: `url: an endpoint for ${t.receiver.url}/old exists already`},
        {row: 5, field: 'auth_password', message: 'auth_password is required with the other'},
      ],
    })
    expect(storeSnapshot(t.relay.db)).toBe(before)

    const real = await t.api('POST', t.p('/onboard'), {items})
    expect(real.status).toBe(202)
    expect(real.json.data).toMatchObject({batch_count: 1, total_items: 5, skipped: dry.json.data.errors})
    expect(real.json.data.created.map((c: {row: number}) => c.row)).toEqual([1, 2])
    const [a, b] = real.json.data.created
    expect((await t.api('GET', t.p(`/endpoints/${b.endpoint_id}`))).json.data.authentication).toMatchObject({
      type: 'basic_auth',
      basic_auth: {username: 'u', password: 'p'},
    })
    const sub = (await t.api('GET', t.p(`/subscriptions/${a.subscription_id}`))).json.data
    expect(sub).toMatchObject({endpoint_id: a.endpoint_id, filter_config: {event_types: ['invoice.paid']}})
    expect(
      (await t.api('GET', t.p(`/subscriptions/${b.subscription_id}`))).json.data.filter_config.event_types,
    ).toEqual(['*'])
  })

  it('rejects a body that is not a batch of items, and a bad dry_run, with 400', async () => {
    const t = await useRelay({deliver: false})
    const before = storeSnapshot(t.relay.db)
    const tooMany = Array.from({length: 1001}, (_, i) => ({name: `e${i}`, url: `${t.receiver.url}/${i}`}))
    for (const [path, body, message] of [
      ['/onboard', {items: []}, /^items is required/],
      ['/onboard', {items: tooMany}, /^items: at most 1000 per request/],
      ['/onboard', [], /^request body must be a JSON object/],
      ['/onboard?dry_run=maybe', {items: [{name: 'x', url: t.receiver.url}]}, /^dry_run must be true or false/],
    ] as const) {
      const res = await t.api('POST', t.p(path), body, {offSpec: true})
      expect(res.status, path).toBe(400)
      expect(res.json.message).toMatch(message)
    }
    expect(storeSnapshot(t.relay.db)).toBe(before)
  })
})
