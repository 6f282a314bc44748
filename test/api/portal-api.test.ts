import {AppPortalCapability, Svix} from 'svix'
import {describe, expect, it} from 'vitest'

import {createEndpoint, createSubscription} from '../helpers/fixtures.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

/** A call to the portal's API with a portal token. */
async function portal(t: TestRelay, token: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${t.url}/portal-api/v1${path}`, {
    method,
    headers: {authorization: `Bearer ${token}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return {status: res.status, json: (text ? JSON.parse(text) : undefined) as any}
}

/** Two applications with one endpoint and one message each. */
async function twoApps(t: TestRelay) {
  const svix = new Svix(t.key, {serverUrl: t.url})
  await svix.eventType.create({
    name: 'invoice.paid',
    description: 'An invoice was paid',
    schemas: {'1': {type: 'object', examples: [{id: 'in_example'}]}},
  })
  const apps = []
  for (const name of ['a', 'b']) {
    const app = await svix.application.create({name: `App ${name}`, uid: name})
    const endpoint = await svix.endpoint.create(app.id, {url: `${t.receiver.url}/${name}`})
    const message = await svix.message.create(app.id, {eventType: 'invoice.paid', payload: {app: name}})
    apps.push({app, endpoint, message})
  }
  return {svix, a: apps[0], b: apps[1]}
}

describe('portal API: Svix application sessions', () => {
  it('app-portal-access answers {url, token} opening the portal; the store keeps only a hash', async () => {
    const t = await useRelay({deliver: false})
    const {svix, a} = await twoApps(t)
    const access = await svix.authentication.appPortalAccess('a', {sessionId: 's1', expiry: 3600})
    expect(access.url).toBe(`${t.url}/portal/#key=${encodeURIComponent(access.token)}`)
    const rows = t.relay.db.prepare('SELECT * FROM portal_tokens').all() as Record<string, unknown>[]
    expect(rows).toHaveLength(1)
    expect(JSON.stringify(rows)).not.toContain(access.token)
    expect(rows[0]).toMatchObject({kind: 'svix_app', scope_id: a.app.id, session_id: 's1', read_only: 0})

    const session = await portal(t, access.token, 'GET', '/session')
    expect(session.json).toMatchObject({
      kind: 'svix_app',
      name: 'App a',
      capabilities: ['ViewBase', 'ViewEndpointSecret', 'ManageEndpointSecret', 'ManageEndpoint', 'CreateAttempts'],
      read_only: false,
    })
    const list = await portal(t, access.token, 'GET', '/endpoints')
    expect(list.json.data.map((e: {id: string}) => e.id)).toEqual([a.endpoint.id])
    const messages = await portal(t, access.token, 'GET', '/messages')
    expect(messages.json.content.map((m: {id: string}) => m.id)).toEqual([a.message.id])
    // Each listed message carries its deliveries to the scope's endpoints.
    expect(messages.json.content[0].deliveries).toEqual([
      expect.objectContaining({endpoint_id: a.endpoint.id, status: 'Scheduled'}),
    ])
    const catalogue = await portal(t, access.token, 'GET', '/event-types')
    expect(catalogue.json.data[0]).toMatchObject({name: 'invoice.paid', examples: [{id: 'in_example'}]})

    // An unknown app is 404; `application` creates it, as Svix does.
    expect(
      (
        await fetch(`${t.url}/api/v1/auth/app-portal-access/nope`, {
          method: 'POST',
          headers: {authorization: `Bearer ${t.key}`, 'content-type': 'application/json'},
          body: '{}',
        })
      ).status,
    ).toBe(404)
    const created = await svix.authentication.appPortalAccess('c', {application: {name: 'App c'}})
    expect((await portal(t, created.token, 'GET', '/session')).json.name).toBe('App c')
  })

  it('a token for application A can neither see nor change application B: 404 everywhere, store unchanged', async () => {
    const t = await useRelay({deliver: false})
    const {svix, b} = await twoApps(t)
    const {token} = await svix.authentication.appPortalAccess('a', {})
    const delivery = t.relay.db.prepare('SELECT id FROM deliveries WHERE event_id = ?').get(b.message.id) as {
      id: string
    }
    const before = storeSnapshot(t.relay.db)
    const ep = `/endpoints/${b.endpoint.id}`
    for (const [method, path, body] of [
      ['GET', ep],
      ['PATCH', ep, {description: 'mine now'}],
      ['DELETE', ep],
      ['GET', `${ep}/secret`],
      ['POST', `${ep}/secret/rotate`],
      ['POST', `${ep}/send-example`, {eventType: 'invoice.paid'}],
      ['POST', `${ep}/recover`, {since: new Date(Date.now() - 3600_000).toISOString()}],
      ['GET', `/messages/${b.message.id}`],
      ['GET', `/messages?endpoint_id=${b.endpoint.id}`],
      ['POST', `/deliveries/${delivery.id}/resend`],
    ] as [string, string, unknown?][]) {
      const res = await portal(t, token, method, path, body)
      expect(res.status, `${method} ${path}`).toBe(404)
    }
    expect(storeSnapshot(t.relay.db)).toBe(before)
  })

  it('capabilities and readOnly are enforced by the server (403), session info says what is allowed', async () => {
    const t = await useRelay({deliver: false})
    const {svix, a} = await twoApps(t)
    const ep = `/endpoints/${a.endpoint.id}`
    const readOnly = (await svix.authentication.appPortalAccess('a', {readOnly: true})).token
    expect((await portal(t, readOnly, 'GET', '/session')).json).toMatchObject({
      read_only: true,
      capabilities: ['ViewBase', 'ViewEndpointSecret'],
    })
    const before = storeSnapshot(t.relay.db)
    for (const [method, path, body] of [
      ['POST', '/endpoints', {url: `${t.receiver.url}/x`}],
      ['PATCH', ep, {description: 'x'}],
      ['DELETE', ep],
      ['POST', `${ep}/secret/rotate`],
      ['POST', `${ep}/send-example`, {eventType: 'invoice.paid'}],
      ['POST', `${ep}/recover`, {since: new Date().toISOString()}],
    ] as [string, string, unknown?][]) {
      const res = await portal(t, readOnly, method, path, body)
      expect(res.status, `${method} ${path}`).toBe(403)
      expect(res.json.message).toMatch(/read-only/)
    }
    expect(storeSnapshot(t.relay.db)).toBe(before)
    expect((await portal(t, readOnly, 'GET', `${ep}/secret`)).json.key).toMatch(/^whsec_/)

    const viewOnly = (await svix.authentication.appPortalAccess('a', {capabilities: [AppPortalCapability.ViewBase]}))
      .token
    expect((await portal(t, viewOnly, 'GET', `${ep}/secret`)).status).toBe(403)
    expect((await portal(t, viewOnly, 'GET', ep)).status).toBe(200)
    const secretsOnly = (
      await svix.authentication.appPortalAccess('a', {capabilities: [AppPortalCapability.ViewEndpointSecret]})
    ).token
    expect((await portal(t, secretsOnly, 'GET', '/endpoints')).status).toBe(403)

    // Full rights: create (owned by the app), update, rotate, send an example, recover, resend, delete.
    const full = (await svix.authentication.appPortalAccess('a', {})).token
    const created = await portal(t, full, 'POST', '/endpoints', {
      url: `${t.receiver.url}/new`,
      description: 'new one',
      filterTypes: ['invoice.paid'],
    })
    expect(created.status).toBe(201)
    expect((await svix.endpoint.get('a', created.json.id)).filterTypes).toEqual(['invoice.paid'])
    const patched = await portal(t, full, 'PATCH', `/endpoints/${created.json.id}`, {disabled: true})
    expect(patched.json).toMatchObject({disabled: true, description: 'new one'})
    const oldSecret = (await portal(t, full, 'GET', `${ep}/secret`)).json.key
    const rotated = await portal(t, full, 'POST', `${ep}/secret/rotate`)
    expect(rotated.json.key).not.toBe(oldSecret)
    const example = await portal(t, full, 'POST', `${ep}/send-example`, {eventType: 'invoice.paid'})
    expect(example.status).toBe(202)
    expect((await svix.message.get('a', example.json.message_id)).payload).toEqual({id: 'in_example'})
    const recovered = await portal(t, full, 'POST', `${ep}/recover`, {
      since: new Date(Date.now() - 60_000).toISOString(),
    })
    expect(recovered.json).toEqual({recovered: 0})
    const detail = await portal(t, full, 'GET', `/messages/${a.message.id}`)
    expect(detail.json.payload).toEqual({app: 'a'})
    const resent = await portal(t, full, 'POST', `/deliveries/${detail.json.deliveries[0].id}/resend`)
    expect(resent.status).toBe(202)
    expect((await portal(t, full, 'GET', `/messages/${a.message.id}`)).json.deliveries).toHaveLength(2)
    expect((await portal(t, full, 'DELETE', `/endpoints/${created.json.id}`)).status).toBe(204)
  })

  it('expiry, expire-all (by app and by sessionIds) and logout end sessions with 401', async () => {
    const t = await useRelay({deliver: false})
    const {svix} = await twoApps(t)
    const short = (await svix.authentication.appPortalAccess('a', {expiry: 1})).token
    expect((await portal(t, short, 'GET', '/session')).status).toBe(200)
    await new Promise((r) => setTimeout(r, 1100))
    const expired = await portal(t, short, 'GET', '/endpoints')
    expect(expired.status).toBe(401)
    expect(expired.json.message).toMatch(/session expired/)

    const s1 = (await svix.authentication.appPortalAccess('a', {sessionId: 's1'})).token
    const s2 = (await svix.authentication.appPortalAccess('a', {sessionId: 's2'})).token
    const other = (await svix.authentication.appPortalAccess('b', {sessionId: 's1'})).token
    await svix.authentication.expireAll('a', {sessionIds: ['s1']})
    expect((await portal(t, s1, 'GET', '/session')).status).toBe(401)
    expect((await portal(t, s2, 'GET', '/session')).status).toBe(200)
    expect((await portal(t, other, 'GET', '/session')).status).toBe(200)
    await svix.authentication.expireAll('a', {})
    expect((await portal(t, s2, 'GET', '/session')).status).toBe(401)
    expect((await portal(t, other, 'GET', '/session')).status).toBe(200)

    await new Svix(other, {serverUrl: t.url}).authentication.logout()
    expect((await portal(t, other, 'GET', '/session')).status).toBe(401)
    expect((await portal(t, 'ptk_made-up', 'GET', '/session')).status).toBe(401)
    expect((await fetch(`${t.url}/portal-api/v1/session`)).status).toBe(401)
    // A portal token is no API key.
    expect((await fetch(`${t.url}/api/v1/app`, {headers: {authorization: `Bearer ${s2}`}})).status).toBe(401)
  })
})

describe('portal API: Convoy portal links', () => {
  it('refresh_token invalidates the old token, revoke ends the session; can_manage_endpoint decides mutations', async () => {
    const t = await useRelay({deliver: false})
    const mine = await createEndpoint(t, {name: 'mine', owner_id: 'acme'})
    await createSubscription(t, mine)
    const theirs = await createEndpoint(t, {name: 'theirs', owner_id: 'globex'})
    const link = (await t.api('POST', t.p('/portal-links'), {name: 'Acme', owner_id: 'acme'})).json.data
    expect(link.url).toBe(`${t.url}/portal/#key=${encodeURIComponent(link.token)}`)
    const row = t.relay.db.prepare('SELECT * FROM portal_tokens').get()
    expect(JSON.stringify(row)).not.toContain(link.token)
    expect(JSON.stringify(t.relay.db.prepare('SELECT * FROM portal_links').all())).not.toContain(link.token)

    const token = link.token as string
    expect((await portal(t, token, 'GET', '/session')).json).toMatchObject({
      kind: 'portal_link',
      name: 'Acme',
      capabilities: ['ViewBase', 'ViewEndpointSecret'],
    })
    expect((await portal(t, token, 'GET', '/endpoints')).json.data.map((e: {id: string}) => e.id)).toEqual([mine])
    expect((await portal(t, token, 'GET', `/endpoints/${theirs}`)).status).toBe(404)
    expect((await portal(t, token, 'POST', '/endpoints', {url: `${t.receiver.url}/x`})).status).toBe(403)
    expect((await portal(t, token, 'GET', `/endpoints/${mine}/secret`)).status).toBe(200)

    await t.api('PUT', t.p(`/portal-links/${link.uid}`), {can_manage_endpoint: true})
    const created = await portal(t, token, 'POST', '/endpoints', {url: `${t.receiver.url}/x`, description: 'x'})
    expect(created.status).toBe(201)
    const stored = (await t.api('GET', t.p(`/endpoints/${created.json.id}`))).json.data
    expect(stored.owner_id).toBe('acme')
    expect((await portal(t, token, 'PATCH', `/endpoints/${theirs}`, {description: 'no'})).status).toBe(404)
    const example = await portal(t, token, 'POST', `/endpoints/${mine}/send-example`, {eventType: 'invoice.paid'})
    expect(example.json.deliveries).toBe(1)

    const later = (await t.api('GET', t.p(`/portal-links/${link.uid}`))).json.data
    expect(later).toMatchObject({token: '', url: '', portal_note: expect.stringMatching(/shown once/)})

    const refreshed = await t.api('GET', t.p(`/portal-links/${link.uid}/refresh_token`))
    expect(refreshed.json.data).toMatch(/^PRT\./)
    expect(refreshed.json.message).toContain(`/portal/#key=`)
    expect((await portal(t, token, 'GET', '/session')).status).toBe(401)
    expect((await portal(t, refreshed.json.data, 'GET', '/session')).status).toBe(200)

    await t.api('PUT', t.p(`/portal-links/${link.uid}/revoke`))
    expect((await portal(t, refreshed.json.data, 'GET', '/session')).status).toBe(401)
    expect(t.relay.db.prepare('SELECT COUNT(*) AS n FROM portal_tokens').get()).toEqual({n: 0})
  })
})
