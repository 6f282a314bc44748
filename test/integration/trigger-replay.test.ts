import {createHmac, timingSafeEqual} from 'node:crypto'

import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort, makeSandbox, readProfiles, runCli, runJson, startServerProcess} from '../helpers/cli.js'
import {type AppRequest, startApp, startListen, until} from '../helpers/listen.js'

/**
 * `caravan trigger` and `caravan replay` as a user runs them: samples signed with the
 * source's secret reach the app behind `listen` and pass the app's own checks (computed
 * here independently, per each provider's documented scheme); replays are recorded as new
 * deliveries of the original event.
 */

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b)

/** GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. */
function githubValid(req: AppRequest, secret: string): boolean {
  const header = String(req.headers['x-hub-signature-256'] ?? '')
  if (!header.startsWith('sha256=')) return false
  return sameBytes(Buffer.from(header.slice(7), 'hex'), createHmac('sha256', secret).update(req.body).digest())
}

/** Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t." + raw body>`, within 5 minutes. */
function stripeCheck(req: AppRequest, secret: string): {valid: boolean; t: number} {
  const parts = String(req.headers['stripe-signature'] ?? '')
    .split(',')
    .map((p) => p.split('='))
  const t = Number(parts.find(([k]) => k === 't')?.[1])
  const expected = createHmac('sha256', secret).update(`${t}.`).update(req.body).digest()
  const valid =
    parts.some(([k, v]) => k === 'v1' && sameBytes(Buffer.from(v, 'hex'), expected)) &&
    Math.abs(Date.now() / 1000 - t) <= 300
  return {valid, t}
}

describe('caravan trigger --list', () => {
  it('lists the sample events', async () => {
    const sandbox = makeSandbox('caravan-trigger-')
    onTestFinished(() => sandbox.cleanup())
    const json = await runJson(['trigger', '--list', '--json'], {env: sandbox.env})
    const names = json.map((s: {provider: string; event: string}) => `${s.provider} ${s.event}`)
    for (const wanted of [
      'github push',
      'github pull_request',
      'github ping',
      'stripe payment_intent.succeeded',
      'stripe charge.failed',
      'stripe invoice.paid',
      'shopify orders/create',
    ]) {
      expect(names).toContain(wanted)
    }
    for (const s of json) expect(s.description.length).toBeGreaterThan(0)
  })
})

describe('trigger and replay through a running relay', () => {
  it('github: signed sample reaches the app; replays (plain and edited) verify and are recorded', async () => {
    const sandbox = makeSandbox('caravan-replay-gh-')
    onTestFinished(() => sandbox.cleanup())
    const server = await startServerProcess(sandbox.env)
    onTestFinished(async () => void (await server.stop({graceMs: 2000})))
    const env = {...sandbox.env, CARAVAN_GATEWAY: server.url}
    const secret = 'gh-webhook-secret'
    const app = await startApp()
    const other = await startApp()

    const created = await runCli(['sources', 'create', '--name', 'gh', '--provider', 'github', '--secret', secret], {
      env,
    })
    expect(created.code, created.stderr).toBe(0)
    const listen = await startListen(['--forward', `${app.url}/hooks`, '--source', 'gh'], env)

    const triggered = await runJson(['trigger', 'github', 'push', '--source', 'gh', '--json'], {env})
    expect(triggered).toMatchObject({
      provider: 'github',
      event: 'push',
      url: listen.ingestUrl,
      status: 200,
      signed: true,
    })
    const eventId: string = triggered.event_id
    const [pushed] = await app.waitFor(1)
    expect(pushed.url).toBe('/hooks')
    expect(pushed.headers['x-github-event']).toBe('push')
    expect(githubValid(pushed, secret)).toBe(true)
    expect(JSON.parse(pushed.body.toString()).ref).toMatch(/^refs\/heads\//)

    // Plain replay elsewhere: the same bytes, so the original signature still holds.
    const plain = await runCli(['replay', 'latest', '--forward', `${other.url}/replayed`, '--json'], {env})
    expect(plain.code, plain.stderr).toBe(0)
    const [replayed] = await other.waitFor(1)
    expect(replayed.url).toBe('/replayed')
    expect(replayed.body.equals(pushed.body)).toBe(true)
    expect(githubValid(replayed, secret)).toBe(true)
    const plainLine = JSON.parse(plain.stdout)
    expect(plainLine).toMatchObject({
      event_id: eventId,
      status: 200,
      target: `${other.url}/replayed`,
      type: 'push',
      attempt: 1,
    })

    // Edited replay to the running listener's target: a new body with a freshly computed signature.
    const edited = await runCli(['replay', eventId, '--data', '{"x":1}', '-H', 'X-Replayed: yes'], {env})
    expect(edited.code, edited.stderr).toBe(0)
    expect(edited.stdout).toMatch(new RegExp(`POST\\s+/hooks\\s+push\\s+${eventId}\\s+\\[200\\] \\d+ ms\\n$`))
    const [, again] = await app.waitFor(2)
    expect(again.body.toString()).toBe('{"x":1}')
    expect(again.headers['x-replayed']).toBe('yes')
    expect(githubValid(again, secret)).toBe(true)

    // History: the original delivery plus one new delivery per replay, each with one attempt.
    const deliveries = (await runJson(['deliveries', 'list', '--event', eventId, '--json'], {env})).content
    expect(deliveries).toHaveLength(3)
    expect(
      deliveries.every((d: {event_id: string; status: string}) => d.event_id === eventId && d.status === 'Success'),
    ).toBe(true)
    const replays = deliveries.filter((d: {description: string}) => d.description === `replay of event ${eventId}`)
    expect(replays).toHaveLength(2)
    for (const d of replays) expect(d.metadata.num_trials).toBe(1)
    const res = await fetch(
      `${server.url}/api/v1/projects/${server.projectId}/eventdeliveries/${replays[0].uid}/deliveryattempts`,
      {headers: {authorization: `Bearer ${server.apiKey}`}},
    )
    const attempts = ((await res.json()) as {data: {http_status: string; status: boolean; url: string}[]}).data
    expect(attempts).toHaveLength(1)
    expect(attempts[0]).toMatchObject({http_status: '200', status: true})
    expect([`${app.url}/hooks`, `${other.url}/replayed`]).toContain(attempts[0].url)

    // `events list --source` shows the inbound event with its status.
    const events = (await runJson(['events', 'list', '--source', 'gh', '--json'], {env})).content
    expect(events.map((e: {uid: string; status: string}) => [e.uid, e.status])).toEqual([[eventId, 'Success']])

    // No listener and no --forward: nowhere to send, said clearly.
    expect((await listen.stop()).code).toBe(0)
    const nowhere = await runCli(['replay', 'latest'], {env})
    expect(nowhere.code).toBe(8)
    expect(nowhere.stdout).toBe('')
    expect(nowhere.stderr).toContain('Error: no caravan listen is running for this source')
    expect(nowhere.stderr).toContain('Hint: pass --forward localhost:3000/path, or start caravan listen')
    expect(app.requests).toHaveLength(2)
  })

  it('stripe: signed sample verifies at the app; a replay is re-signed with a fresh t=', async () => {
    const sandbox = makeSandbox('caravan-replay-stripe-')
    onTestFinished(() => sandbox.cleanup())
    const env = {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`}
    const secret = 'whsec_test_0123456789abcdef'
    const app = await startApp()
    const other = await startApp()
    // listen starts an embedded relay and creates the source; then it gets its provider secret.
    const listen = await startListen(['--forward', `${app.url}/stripe/webhook`, '--source', 'stripe'], env)
    const profile = readProfiles(sandbox.configFile).profiles.local
    const sources = await fetch(`${env.CARAVAN_GATEWAY}/api/v1/projects/${profile.project}/sources`, {
      headers: {authorization: `Bearer ${profile.apiKey}`},
    })
    const [source] = ((await sources.json()) as {data: {content: {uid: string}[]}}).data.content
    const updated = await runCli(['sources', 'update', source.uid, '--provider', 'stripe', '--secret', secret], {env})
    expect(updated.code, updated.stderr).toBe(0)

    const triggered = await runJson(['trigger', 'stripe', 'invoice.paid', '--json'], {env})
    expect(triggered).toMatchObject({status: 200, signed: true})
    const [paid] = await app.waitFor(1)
    const original = stripeCheck(paid, secret)
    expect(original.valid).toBe(true)
    expect(JSON.parse(paid.body.toString())).toMatchObject({object: 'event', type: 'invoice.paid'})

    // Let the clock pass a second so a fresh timestamp is visibly fresh.
    await until(() => Math.floor(Date.now() / 1000) > original.t, 'the next second', 2000)
    const replay = await runCli(
      ['replay', 'latest', '--source', 'stripe', '--forward', `${other.url}/stripe/webhook`],
      {env},
    )
    expect(replay.code, replay.stderr).toBe(0)
    expect(replay.stderr).toContain('re-signed with a fresh timestamp')
    const [resent] = await other.waitFor(1)
    expect(resent.body.equals(paid.body)).toBe(true)
    const fresh = stripeCheck(resent, secret)
    expect(fresh.valid).toBe(true)
    expect(fresh.t).toBeGreaterThan(original.t)
    await listen.stop()
  })
})
