import {describe, expect, it} from 'vitest'

import {createEndpoint} from '../helpers/fixtures.js'
import {qs, useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

describe('portal links', () => {
  it('are created by owner or endpoints, listed, updated, refreshed and revoked', async () => {
    const t = await useRelay({deliver: false})
    const a1 = await createEndpoint(t, {name: 'a1', owner_id: 'acme'})
    const a2 = await createEndpoint(t, {name: 'a2', owner_id: 'acme'})
    const other = await createEndpoint(t, {name: 'other'})

    const byOwner = await t.api('POST', t.p('/portal-links'), {name: 'Acme portal', owner_id: 'acme'})
    expect(byOwner.status, JSON.stringify(byOwner.json)).toBe(201)
    const link = byOwner.json.data
    expect(link).toMatchObject({
      name: 'Acme portal',
      owner_id: 'acme',
      endpoint_count: 2,
      auth_type: 'static_token',
      token: expect.stringMatching(/^PRT\./),
      // The create answer is the one place the token (and the URL holding it) is shown.
      url: `${t.url}/portal/#key=${encodeURIComponent(link.token)}`,
    })
    expect(link.portal_note).toBeUndefined()
    expect(link.endpoints.sort()).toEqual([a1, a2].sort())
    expect((await fetch(link.url)).status).toBe(200)
    // Later reads cannot show it: empty, and portal_note says why.
    expect((await t.api('GET', t.p(`/portal-links/${link.uid}`))).json.data).toMatchObject({
      token: '',
      auth_key: '',
      url: '',
      portal_note: expect.stringMatching(/stored only as a hash/),
    })

    const byList = await t.api('POST', t.p('/portal-links'), {
      name: 'Other',
      endpoints: [other],
      can_manage_endpoint: true,
    })
    expect(byList.json.data).toMatchObject({endpoints: [other], endpoint_count: 1, can_manage_endpoint: true})

    const list = await t.api('GET', t.p('/portal-links') + qs({ownerId: 'acme'}))
    expect(list.json.data.content.map((x: {uid: string}) => x.uid)).toEqual([link.uid])
    const search = await t.api('GET', t.p('/portal-links') + qs({q: 'Oth'}))
    expect(search.json.data.content.map((x: {name: string}) => x.name)).toEqual(['Other'])

    const updated = await t.api('PUT', t.p(`/portal-links/${link.uid}`), {name: 'Acme', auth_type: 'refresh_token'})
    expect(updated.status).toBe(202)
    expect(updated.json.data).toMatchObject({name: 'Acme', owner_id: 'acme', auth_type: 'refresh_token'})

    const refreshed = await t.api('GET', t.p(`/portal-links/${link.uid}/refresh_token`))
    expect(refreshed.status).toBe(200)
    expect(refreshed.json.data).toMatch(/^PRT\./)
    expect(refreshed.json.data).not.toBe(link.token)
    const again = await t.api('GET', t.p(`/portal-links/${link.uid}/refresh_token`))
    expect(again.json.data).not.toBe(refreshed.json.data)

    const revoked = await t.api('PUT', t.p(`/portal-links/${link.uid}/revoke`))
    expect(revoked.status).toBe(200)
    expect((await t.api('GET', t.p(`/portal-links/${link.uid}`))).status).toBe(404)
    expect((await t.api('PUT', t.p(`/portal-links/${link.uid}/revoke`))).status).toBe(404)
    expect((await t.api('GET', t.p('/portal-links'))).json.data.content).toHaveLength(1)
  })

  it('rejects bad input with 400 naming the field, and changes nothing', async () => {
    const t = await useRelay({deliver: false})
    const before = storeSnapshot(t.relay.db)
    for (const [body, message] of [
      [{name: 'x'}, /owner_id or endpoints is required/],
      [{owner_id: 'o'}, /^name is required/],
      [{name: 'x', endpoints: [UNKNOWN]}, /^endpoints: endpoint .* not found/],
      [{name: 'x', owner_id: 'o', auth_type: 'magic'}, /^auth_type must be one of static_token, refresh_token/],
      [{name: 'x', endpoints: 'e'}, /^endpoints must be an array of strings/],
    ] as const) {
      const res = await t.api('POST', t.p('/portal-links'), body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json.message).toMatch(message)
    }
    expect(storeSnapshot(t.relay.db)).toBe(before)
    expect((await t.api('GET', t.p(`/portal-links/${UNKNOWN}/refresh_token`))).status).toBe(404)
  })
})
