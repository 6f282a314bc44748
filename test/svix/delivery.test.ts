import {createPrivateKey, createPublicKey, randomBytes, verify} from 'node:crypto'

import {Webhook as StandardWebhook} from 'standardwebhooks'
import {Svix, Webhook} from 'svix'
import {describe, expect, it, onTestFinished} from 'vitest'

import {getProject, updateProject} from '../../src/store/projects.js'
import type {Delivery, ProjectConfig} from '../../src/store/types.js'
import {SVIX_RETRY_SCHEDULE} from '../../src/delivery/retry-policy.js'
import {assertBuilt, makeSandbox, runJson} from '../helpers/cli.js'
import {startSink, waitFor, type SinkRequest} from '../helpers/delivery.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'

const svixHeaders = (r: SinkRequest) => ({
  'svix-id': String(r.headers['svix-id']),
  'svix-timestamp': String(r.headers['svix-timestamp']),
  'svix-signature': String(r.headers['svix-signature']),
})

function patchProject(t: TestRelay, patch: (config: ProjectConfig) => void): void {
  const project = getProject(t.relay.db, t.projectId)!
  patch(project.config)
  updateProject(t.relay.db, project)
}

describe('Svix API: delivery to a Svix application’s endpoints', () => {
  it('signs with svix-* headers that svix’s and standardwebhooks’ Webhook.verify accept; the same message through the CLI and Convoy routes', async () => {
    assertBuilt()
    const t = await useRelay()
    const sink = await startSink()
    const svix = new Svix(t.key, {serverUrl: t.url})
    const app = await svix.application.getOrCreate({name: 'Acme', uid: 'acme'})
    await svix.eventType.create({name: 'invoice.paid', description: 'An invoice was paid'})
    const ep = await svix.endpoint.create(app.id, {url: sink.url + '/hooks', filterTypes: ['invoice.paid']})
    // Live views (feed, inspect) learn of messages as of any other stored event.
    const announced: string[] = []
    t.relay.events.on('event.created', ({event}) => announced.push(event.id))
    const skipped = await svix.message.create('acme', {eventType: 'invoice.voided', payload: {id: 'in_0'}})
    const msg = await svix.message.create('acme', {eventType: 'invoice.paid', payload: {id: 'in_1', amount: 12}})
    expect(announced).toEqual([skipped.id, msg.id])
    const [request] = await sink.waitForRequests(1)
    const {key} = await svix.endpoint.getSecret(app.id, ep.id)

    const body = request.body.toString()
    expect(JSON.parse(body)).toEqual({id: 'in_1', amount: 12})
    expect(request.headers['svix-id']).toBe(msg.id)
    expect(new Webhook(key).verify(body, svixHeaders(request))).toEqual({id: 'in_1', amount: 12})
    const standard = {
      'webhook-id': String(request.headers['svix-id']),
      'webhook-timestamp': String(request.headers['svix-timestamp']),
      'webhook-signature': String(request.headers['svix-signature']),
    }
    expect(new StandardWebhook(key).verify(body, standard)).toEqual({id: 'in_1', amount: 12})
    expect(() =>
      new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(body, svixHeaders(request)),
    ).toThrow()

    // One set of data: the Convoy routes and `caravan events list` see the messages and the app's endpoint.
    const events = await t.api('GET', t.p('/events'))
    expect(events.json.data.content.map((e: {uid: string}) => e.uid)).toEqual(
      expect.arrayContaining([msg.id, skipped.id]),
    )
    const owned = await t.api('GET', t.p(`/endpoints?ownerId=${app.id}`))
    expect(owned.json.data.content.map((e: {uid: string}) => e.uid)).toEqual([ep.id])
    const sandbox = makeSandbox()
    onTestFinished(() => sandbox.cleanup())
    const listed = await runJson(
      ['events', 'list', '--json', '--gateway', t.url, '--api-key', t.key, '--project', t.projectId],
      {env: sandbox.env},
    )
    const ids = (Array.isArray(listed) ? listed : (listed.content ?? listed.data)).map(
      (e: {uid?: string; id?: string}) => e.uid ?? e.id,
    )
    expect(ids).toEqual(expect.arrayContaining([msg.id, skipped.id]))
    const attempts = await svix.messageAttempt.listByMsg('acme', msg.id)
    const delivery = (await t.api('GET', t.p(`/eventdeliveries?eventId=${msg.id}`))).json.data.content[0]
    const convoyAttempts = await t.api('GET', t.p(`/eventdeliveries/${delivery.uid}/deliveryattempts`))
    expect(convoyAttempts.json.data.map((a: {uid: string}) => a.uid)).toEqual(attempts.data.map((a) => a.id))
  })

  it('signs v1a for a whsk_ (ed25519) endpoint, checked with node:crypto; rotation signs with old and new secrets', async () => {
    const t = await useRelay()
    const sink = await startSink()
    const svix = new Svix(t.key, {serverUrl: t.url})
    const app = await svix.application.create({name: 'Keys'})
    const seed = randomBytes(32)
    const privateKey = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    })
    const publicKey = createPublicKey(privateKey)
    const edEp = await svix.endpoint.create(app.id, {
      url: sink.url + '/ed',
      secret: `whsk_${seed.toString('base64')}`,
    } as never)
    await svix.message.create(app.id, {eventType: 'a.b', payload: {n: 1}})
    const [signed] = await sink.waitForRequests(1)
    const [version, signature] = String(signed.headers['svix-signature']).split(',')
    expect(version).toBe('v1a')
    const content = `${signed.headers['svix-id']}.${signed.headers['svix-timestamp']}.${signed.body.toString()}`
    expect(verify(null, Buffer.from(content), publicKey, Buffer.from(signature, 'base64'))).toBe(true)
    await svix.endpoint.delete(app.id, edEp.id)

    const ep = await svix.endpoint.create(app.id, {url: sink.url + '/hmac'})
    const before = (await svix.endpoint.getSecret(app.id, ep.id)).key
    const next = `whsec_${randomBytes(24).toString('base64')}`
    await svix.endpoint.rotateSecret(app.id, ep.id, {key: next})
    expect((await svix.endpoint.getSecret(app.id, ep.id)).key).toBe(next)
    await svix.message.create(app.id, {eventType: 'a.b', payload: {n: 2}})
    const [, rotated] = await sink.waitForRequests(2)
    expect(String(rotated.headers['svix-signature']).split(' ')).toHaveLength(2)
    // Receivers still on the old secret keep verifying during the 24 h grace period.
    for (const secret of [before, next])
      expect(new Webhook(secret).verify(rotated.body.toString(), svixHeaders(rotated))).toEqual({n: 2})
  })

  it('retries on Svix’s schedule (clock controlled), sends failing/exhausted/disabled/recovered operational webhooks signed, recovers', async () => {
    // The delivery clock runs ahead of real time by `offset`: each retry is made due by moving it.
    let offset = 0
    const t = await useRelay({now: () => Date.now() + offset})
    const meta = await startSink()
    const metaSecret = `whsec_${randomBytes(24).toString('base64')}`
    patchProject(t, (config) => {
      config.meta_event = {is_enabled: true, type: 'http', url: meta.url, secret: metaSecret, event_type: []}
      config.disable_endpoint = true
    })
    let failing = true
    const sink = await startSink(() => (failing ? {status: 500, body: 'down'} : {status: 200}))
    const svix = new Svix(t.key, {serverUrl: t.url})
    const app = await svix.application.create({name: 'Flaky', uid: 'flaky'})
    const ep = await svix.endpoint.create(app.id, {url: sink.url, uid: 'ep-1'})

    const updates: {delivery: Delivery; at: number}[] = []
    t.relay.events.on('delivery.updated', ({delivery, attempt}) => {
      if (attempt) updates.push({delivery, at: Date.parse(attempt.created_at)})
    })
    const start = Date.now()
    const msg = await svix.message.create(app.id, {eventType: 'a.b', eventId: 'evt-flaky', payload: {}})
    for (let attempt = 1; attempt <= SVIX_RETRY_SCHEDULE.length + 1; attempt++) {
      const {delivery: update, at} = await waitFor(() => updates.find((u) => u.delivery.attempts === attempt), {
        what: `attempt ${attempt}`,
      })
      if (attempt <= SVIX_RETRY_SCHEDULE.length) {
        expect(update.status).toBe('Retry')
        const delay = update.next_attempt_at - at
        const planned = SVIX_RETRY_SCHEDULE[attempt - 1] * 1000
        // ±20 % jitter around Svix's step.
        expect(delay).toBeGreaterThanOrEqual(planned * 0.8 - 1)
        expect(delay).toBeLessThanOrEqual(planned * 1.2 + 1)
        offset += delay
        t.relay.dispatcher!.wake()
      } else {
        expect(update.status).toBe('Failure')
      }
    }
    expect(sink.requests).toHaveLength(8)
    expect(offset).toBeGreaterThan(0.8 * SVIX_RETRY_SCHEDULE.reduce((a, b) => a + b, 0) * 1000)

    const received = async (type: string) => {
      const request = await waitFor(() => meta.requests.find((r) => JSON.parse(r.body.toString()).type === type), {
        what: type,
      })
      // Operational webhooks are signed as Svix signs them.
      return new Webhook(metaSecret).verify(request.body.toString(), svixHeaders(request)) as {type: string; data: any}
    }
    expect((await received('endpoint.created')).data).toMatchObject({
      appId: app.id,
      appUid: 'flaky',
      endpointId: ep.id,
      endpointUid: 'ep-1',
    })
    expect((await received('message.attempt.failing')).data).toMatchObject({
      msgId: msg.id,
      msgEventId: 'evt-flaky',
      endpointId: ep.id,
      lastAttempt: {responseStatusCode: 500},
    })
    expect((await received('message.attempt.exhausted')).data).toMatchObject({msgId: msg.id, appId: app.id})
    expect((await received('endpoint.disabled')).data).toMatchObject({endpointId: ep.id, failSince: expect.any(String)})
    expect((await svix.endpoint.get(app.id, ep.id)).disabled).toBe(true)

    failing = false
    expect((await svix.endpoint.patch(app.id, ep.id, {disabled: false})).disabled).toBe(false)
    await received('endpoint.updated')
    // Recover says the endpoint is fixed: the breaker the eight failures opened is closed again.
    await svix.endpoint.recover(app.id, ep.id, {since: new Date(start - 1000)})
    await sink.waitForRequests(9)
    expect((await received('message.attempt.recovered')).data).toMatchObject({
      msgId: msg.id,
      lastAttempt: {responseStatusCode: 200},
    })
    const destinations = await waitFor(async () => {
      const list = await svix.messageAttempt.listAttemptedDestinations(app.id, msg.id)
      return list.data[0]?.status === 0 && list
    })
    expect(destinations.data[0].statusText).toBe('success')
    expect(await svix.endpoint.getStats(app.id, ep.id)).toMatchObject({success: 1, fail: 1})

    // Operational webhooks are kept with the project's meta events, and resent as Svix signs them.
    const listed = await t.api('GET', t.p('/meta-events?perPage=100'))
    const kept = listed.json.data.content as {uid: string; event_type: string; status: string}[]
    const failingKept = kept.find((m) => m.event_type === 'message.attempt.failing')
    expect(kept.map((m) => m.event_type)).toEqual(
      expect.arrayContaining(['endpoint.created', 'message.attempt.exhausted', 'endpoint.disabled']),
    )
    expect(failingKept?.status).toBe('Success')
    const first = meta.requests.find((r) => JSON.parse(r.body.toString()).type === 'message.attempt.failing')!
    const sent = meta.requests.length
    expect((await t.api('PUT', t.p(`/meta-events/${failingKept!.uid}/resend`))).status).toBe(200)
    const [again] = (await meta.waitForRequests(sent + 1)).slice(sent)
    expect(again.body.equals(first.body)).toBe(true)
    expect(again.headers['svix-id']).toBe(first.headers['svix-id'])
    expect(new Webhook(metaSecret).verify(again.body.toString(), svixHeaders(again))).toMatchObject({
      type: 'message.attempt.failing',
    })
  })

  it('routes by channels: an endpoint with channels gets only messages on one of them', async () => {
    const t = await useRelay()
    const all = await startSink()
    const billing = await startSink()
    const svix = new Svix(t.key, {serverUrl: t.url})
    const app = await svix.application.create({name: 'Channels'})
    await svix.endpoint.create(app.id, {url: all.url})
    await svix.endpoint.create(app.id, {url: billing.url, channels: ['billing']})
    await svix.message.create(app.id, {eventType: 'a.b', payload: {n: 1}})
    await svix.message.create(app.id, {eventType: 'a.b', payload: {n: 2}, channels: ['billing']})
    await all.waitForRequests(2)
    const [only] = await billing.waitForRequests(1)
    expect(JSON.parse(only.body.toString())).toEqual({n: 2})
    const onChannel = await svix.message.list(app.id, {channel: 'billing'})
    expect(onChannel.data.map((m) => m.payload)).toEqual([{n: 2}])
  })
})
