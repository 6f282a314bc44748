import {ApiException, Svix} from 'svix'
import {describe, expect, it} from 'vitest'

import {signJwt} from '../../src/api/svix/jwt.js'
import {createApiKey, deleteProject, insertProject, defaultProjectConfig} from '../../src/store/projects.js'
import {waitFor} from '../helpers/delivery.js'
import {useRelay} from '../helpers/relay.js'
import {checkingFetch, type SeenCall, svixOperations} from '../helpers/svix-contract.js'

/** The SDK's error for a call expected to fail: its status and parsed body. */
async function failure(call: Promise<unknown>): Promise<{code: number; body: any}> {
  try {
    await call
  } catch (error) {
    if (error instanceof ApiException) return {code: error.code, body: error.body}
    throw error
  }
  throw new Error('the call succeeded')
}

describe('Svix API: the official svix SDK against a real relay', () => {
  it('drives all 41 operations of svix-server’s spec, every answer valid against its schemas', async () => {
    const t = await useRelay()
    const seen: SeenCall[] = []
    const svix = new Svix(t.key, {serverUrl: t.url, fetch: checkingFetch(seen)})

    await svix.health.get()
    const head = await fetch(`${t.url}/api/v1/health`, {method: 'HEAD'})
    expect(head.status).toBe(204)
    seen.push({op: 'HEAD /api/v1/health', status: head.status, errors: []})

    // Event types
    const et = await svix.eventType.create({
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schemas: {'1': {type: 'object', examples: [{id: 'in_example'}]}},
    })
    expect(et).toMatchObject({name: 'invoice.paid', deprecated: false, archived: false})
    await svix.eventType.create({name: 'invoice.voided', description: 'void'})
    expect((await svix.eventType.get('invoice.paid')).description).toBe('An invoice was paid')
    expect((await svix.eventType.update('invoice.voided', {description: 'voided', deprecated: true})).deprecated).toBe(
      true,
    )
    expect((await svix.eventType.update('user.created', {description: 'new via PUT'})).name).toBe('user.created')
    expect((await svix.eventType.patch('user.created', {description: 'patched'})).description).toBe('patched')
    const types = await svix.eventType.list({withContent: true})
    expect(types.data.map((e) => e.name).sort()).toEqual(['invoice.paid', 'invoice.voided', 'user.created'])
    await svix.eventType.delete('user.created')
    expect((await svix.eventType.list()).data.map((e) => e.name)).not.toContain('user.created')
    expect((await svix.eventType.list({includeArchived: true})).data.map((e) => e.name)).toContain('user.created')

    // Applications
    const app = await svix.application.getOrCreate({name: 'Acme', uid: 'acme'})
    expect(app.uid).toBe('acme')
    expect((await svix.application.getOrCreate({name: 'Acme', uid: 'acme'})).id).toBe(app.id)
    expect((await svix.application.get('acme')).id).toBe(app.id)
    expect((await svix.application.update('acme', {name: 'Acme Inc', metadata: {tier: 'gold'}})).metadata).toEqual({
      tier: 'gold',
    })
    expect((await svix.application.patch(app.id, {rateLimit: 100})).rateLimit).toBe(100)
    const other = await svix.application.create({name: 'Other'})
    expect((await svix.application.list()).data.map((a) => a.id)).toEqual([other.id, app.id])
    await svix.application.delete(other.id)
    expect((await failure(svix.application.get(other.id))).code).toBe(404)

    // Endpoints
    const ep = await svix.endpoint.create('acme', {
      url: t.receiver.url + '/hooks',
      uid: 'main',
      filterTypes: ['invoice.paid'],
      headers: {'x-team': 'billing'},
      metadata: {k: 'v'},
    })
    expect(ep).toMatchObject({uid: 'main', filterTypes: ['invoice.paid'], disabled: false})
    expect((await svix.endpoint.get('acme', 'main')).id).toBe(ep.id)
    expect((await svix.endpoint.list('acme')).data.map((e) => e.id)).toEqual([ep.id])
    expect(
      (
        await svix.endpoint.update('acme', ep.id, {
          url: t.receiver.url + '/hooks',
          description: 'main one',
          filterTypes: ['invoice.paid', 'invoice.voided'],
        })
      ).description,
    ).toBe('main one')
    expect((await svix.endpoint.patch('acme', ep.id, {description: 'patched'})).description).toBe('patched')
    const secret = await svix.endpoint.getSecret('acme', ep.id)
    expect(secret.key).toMatch(/^whsec_/)
    await svix.endpoint.updateHeaders('acme', ep.id, {headers: {'x-team': 'billing', authorization: 'Bearer s3cret'}})
    await svix.endpoint.patchHeaders('acme', ep.id, {headers: {'x-extra': '1'}})
    expect(await svix.endpoint.getHeaders('acme', ep.id)).toEqual({
      headers: {'x-team': 'billing', 'x-extra': '1'},
      sensitive: ['authorization'],
    })

    // Messages and attempts
    const msg = await svix.message.create('acme', {eventType: 'invoice.paid', eventId: 'evt_1', payload: {id: 'in_1'}})
    expect(msg).toMatchObject({eventType: 'invoice.paid', eventId: 'evt_1', payload: {id: 'in_1'}})
    await waitFor(() => t.receiver.requests.length >= 1, {what: 'the delivery'})
    expect(t.receiver.requests[0].headers['x-team']).toBe('billing')
    expect((await svix.message.get('acme', msg.id)).payload).toEqual({id: 'in_1'})
    expect((await svix.message.get('acme', 'evt_1')).id).toBe(msg.id)
    expect((await svix.message.list('acme')).data.map((m) => m.id)).toEqual([msg.id])

    const attempts = await waitFor(async () => {
      const list = await svix.messageAttempt.listByMsg('acme', msg.id)
      return list.data.length > 0 && list
    })
    expect(attempts.data[0]).toMatchObject({
      msgId: msg.id,
      endpointId: ep.id,
      responseStatusCode: 200,
      status: 0,
      triggerType: 0,
    })
    expect((await svix.messageAttempt.listByEndpoint('acme', ep.id)).data).toHaveLength(1)
    const attempted = await waitFor(async () => {
      const list = await svix.messageAttempt.listAttemptedMessages('acme', ep.id)
      return list.data[0]?.status === 0 && list
    })
    expect(attempted.data[0]).toMatchObject({id: msg.id, statusText: 'success'})
    expect((await svix.messageAttempt.listAttemptedDestinations('acme', msg.id)).data[0]).toMatchObject({
      id: ep.id,
      status: 0,
    })
    const attempt = await svix.messageAttempt.get('acme', msg.id, attempts.data[0].id)
    expect(attempt.response).toBe('{"ok":true}')
    await svix.messageAttempt.expungeContent('acme', msg.id, attempt.id)
    expect((await svix.messageAttempt.get('acme', msg.id, attempt.id)).response).toBe('')

    await svix.messageAttempt.resend('acme', msg.id, ep.id)
    await waitFor(() => t.receiver.requests.length >= 2, {what: 'the resend'})
    const manual = await waitFor(async () => {
      const list = await svix.messageAttempt.listByMsg('acme', msg.id)
      return list.data.find((a) => a.triggerType === 1)
    })
    expect(manual.status).toBe(0)

    const example = await svix.endpoint.sendExample('acme', ep.id, {eventType: 'invoice.paid'})
    expect(example.payload).toEqual({id: 'in_example'})
    await waitFor(() => t.receiver.requests.length >= 3, {what: 'the example'})

    const stats = await waitFor(async () => {
      const s = await svix.endpoint.getStats('acme', ep.id)
      return s.success === 3 && s
    })
    expect(stats).toEqual({success: 3, fail: 0, pending: 0, sending: 0, canceled: 0})
    const recovered = await svix.endpoint.recover('acme', ep.id, {since: new Date(Date.now() - 3600_000)})
    expect(recovered).toMatchObject({status: 'running', task: 'endpoint.recover'})
    await svix.endpoint.rotateSecret('acme', ep.id, {})
    expect((await svix.endpoint.getSecret('acme', ep.id)).key).not.toBe(secret.key)

    await svix.message.expungeContent('acme', msg.id)
    expect((await svix.message.get('acme', msg.id)).payload).toEqual({})

    // Portal access: a session of the customer portal for the app, opened by the URL.
    const portal = await svix.authentication.appPortalAccess('acme', {})
    expect(portal.url).toBe(`${t.url}/portal/#key=${encodeURIComponent(portal.token)}`)
    expect((await fetch(portal.url)).status).toBe(200)
    const session = await fetch(`${t.url}/portal-api/v1/session`, {headers: {authorization: `Bearer ${portal.token}`}})
    expect(await session.json()).toMatchObject({kind: 'svix_app', scope_id: app.id})
    await svix.authentication.logout()

    await svix.endpoint.delete('acme', ep.id)
    expect((await failure(svix.endpoint.get('acme', ep.id))).code).toBe(404)

    const problems = seen.filter((c) => c.errors.length)
    expect(problems).toEqual([])
    const driven = new Set(seen.map((c) => c.op))
    const missing = svixOperations().filter((op) => !driven.has(op))
    expect(missing).toEqual([])
    expect(svixOperations()).toHaveLength(41)
  })

  it('pages over more than one page both ways with limit/iterator/prevIterator', async () => {
    const t = await useRelay()
    const svix = new Svix(t.key, {serverUrl: t.url})
    const made: string[] = []
    for (let i = 0; i < 7; i++) made.push((await svix.application.create({name: `app ${i}`, uid: `app-${i}`})).id)
    const seen: string[] = []
    let iterator: string | null | undefined
    let pages = 0
    for (;;) {
      const page = await svix.application.list({limit: 3, iterator, order: 'ascending' as any})
      pages++
      seen.push(...page.data.map((a) => a.id))
      if (page.done) break
      iterator = page.iterator
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(made)
    const second = await svix.application.list({limit: 3, order: 'ascending' as any, iterator: made[2]})
    expect(second.data.map((a) => a.id)).toEqual(made.slice(3, 6))
    const back = await svix.application.list({limit: 3, order: 'ascending' as any, iterator: second.prevIterator})
    expect(back.data.map((a) => a.id)).toEqual(made.slice(0, 3))
    const newestFirst = await svix.application.list({limit: 2})
    expect(newestFirst.data.map((a) => a.id)).toEqual([made[6], made[5]])
  })

  it('lists messages created before/after an instant (message.list and the endpoint’s attempted messages)', async () => {
    const t = await useRelay()
    const svix = new Svix(t.key, {serverUrl: t.url})
    const app = await svix.application.create({name: 'times', uid: 'times'})
    const endpoint = await svix.endpoint.create(app.id, {url: 'http://127.0.0.1:9/none'})
    const sent = []
    for (let i = 0; i < 3; i++) {
      sent.push(await svix.message.create(app.id, {eventType: 'user.signup', payload: {i}}))
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    const [first, middle, last] = sent
    const ids = (page: {data: {id: string}[]}) => page.data.map((m) => m.id)
    expect(ids(await svix.message.list(app.id, {before: middle.timestamp}))).toEqual([first.id])
    expect(ids(await svix.message.list(app.id, {after: middle.timestamp}))).toEqual([last.id])
    expect(ids(await svix.message.list(app.id, {after: first.timestamp, before: last.timestamp}))).toEqual([middle.id])
    expect(ids(await svix.message.list(app.id, {before: first.timestamp}))).toEqual([])
    const attempted = await svix.messageAttempt.listAttemptedMessages(app.id, endpoint.id, {before: last.timestamp})
    expect(ids(attempted)).toEqual([middle.id, first.id])
  })

  it('honours idempotency-key, answers 409 to a duplicate eventId, 422 naming the field, 404 with Svix’s body', async () => {
    const t = await useRelay()
    const svix = new Svix(t.key, {serverUrl: t.url})
    const first = await svix.application.create({name: 'Once'}, {idempotencyKey: 'key-1'})
    const again = await svix.application.create({name: 'Once'}, {idempotencyKey: 'key-1'})
    expect(again.id).toBe(first.id)
    expect((await svix.application.list()).data).toHaveLength(1)

    await svix.message.create(first.id, {eventType: 'a.b', eventId: 'dup', payload: {}})
    const dup = await failure(svix.message.create(first.id, {eventType: 'a.b', eventId: 'dup', payload: {}}))
    expect(dup).toMatchObject({code: 409, body: {code: 'conflict', detail: expect.stringContaining('dup')}})
    expect((await svix.message.list(first.id)).data).toHaveLength(1)

    const bad = await failure(svix.endpoint.create(first.id, {url: 'not a url'}))
    expect(bad.code).toBe(422)
    expect(bad.body.detail[0]).toMatchObject({loc: ['body', 'url'], type: expect.any(String), msg: expect.any(String)})
    const badName = await failure(svix.message.create(first.id, {eventType: 'has space', payload: {}}))
    expect(badName.body.detail[0].loc).toEqual(['body', 'eventType'])
    expect((await svix.endpoint.list(first.id)).data).toHaveLength(0)
    expect((await svix.message.list(first.id)).data).toHaveLength(1)

    expect(await failure(svix.application.get('nope'))).toMatchObject({
      code: 404,
      body: {code: 'not_found', detail: expect.any(String)},
    })
    expect((await failure(svix.message.get(first.id, 'nope'))).code).toBe(404)
    // A message to an app that does not exist creates it only when `application` is given.
    expect((await failure(svix.message.create('new-app', {eventType: 'a.b', payload: {}}))).code).toBe(404)
    await svix.message.create('new-app', {eventType: 'a.b', payload: {}, application: {name: 'Inline'}})
    expect((await svix.application.get('new-app')).name).toBe('Inline')
  })

  it('401 without or with a wrong token, 403 for a token whose project is gone — before any route, Svix’s and Convoy’s', async () => {
    const t = await useRelay()
    const none = await fetch(`${t.url}/api/v1/app`)
    expect(none.status).toBe(401)
    expect(await none.json()).toMatchObject({code: 'authentication_failed'})
    expect((await failure(new Svix('wrong', {serverUrl: t.url}).application.list())).code).toBe(401)
    // Unknown paths answer 401 to strangers, not 404: Svix's roots and Convoy's.
    expect((await fetch(`${t.url}/api/v1/app/x/no-such-thing`)).status).toBe(401)
    expect((await fetch(`${t.url}/api/v1/no-such-thing`)).status).toBe(401)
    expect((await fetch(`${t.url}/api/v1/projects/x/nothing/here`, {method: 'DELETE'})).status).toBe(401)

    const project = insertProject(t.relay.db, {name: 'gone', type: 'outgoing', config: defaultProjectConfig()})
    const {key} = createApiKey(t.relay.db, {projectId: project.id, name: 'gone key'})
    deleteProject(t.relay.db, project.id)
    expect((await failure(new Svix(key, {serverUrl: t.url}).application.list())).code).toBe(403)

    // Cloud-only operations: a clear error naming them.
    const svix = new Svix(t.key, {serverUrl: t.url})
    const app = await svix.application.create({name: 'x'})
    const cloud = await failure(svix.integration.list(app.id))
    expect(cloud.code).toBe(501)
    expect(JSON.parse(cloud.body)).toMatchObject({
      code: 'not_supported',
      detail: expect.stringMatching(/integrations .*not supported/),
    })
  })

  it('accepts HS256 JWTs signed with --svix-jwt-secret (sub names the project), rejects others', async () => {
    const t = await useRelay({svixJwtSecret: 'jwt-secret-for-tests'})
    const project = insertProject(t.relay.db, {name: 'team b', type: 'outgoing', config: defaultProjectConfig()})
    const forB = signJwt({sub: project.id, iat: Math.floor(Date.now() / 1000)}, 'jwt-secret-for-tests')
    const svixB = new Svix(forB, {serverUrl: t.url})
    await svixB.application.create({name: 'in b', uid: 'b-app'})
    // svix-server's own tokens name an org: they open the default project.
    const orgToken = signJwt({sub: 'org_23rb8YdGqMT0qIzpgGwdXfHirMu', iss: 'svix-server'}, 'jwt-secret-for-tests')
    const svixDefault = new Svix(orgToken, {serverUrl: t.url})
    expect((await svixDefault.application.list()).data).toHaveLength(0)
    expect((await failure(svixDefault.application.get('b-app'))).code).toBe(404)
    expect((await svixB.application.get('b-app')).name).toBe('in b')
    const forged = signJwt({sub: project.id}, 'another-secret')
    expect((await failure(new Svix(forged, {serverUrl: t.url}).application.list())).code).toBe(401)
    const expired = signJwt({sub: project.id, exp: Math.floor(Date.now() / 1000) - 10}, 'jwt-secret-for-tests')
    expect((await failure(new Svix(expired, {serverUrl: t.url}).application.list())).code).toBe(401)
  })
})
