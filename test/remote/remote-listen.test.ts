import {existsSync, readdirSync} from 'node:fs'

import {describe, expect, onTestFinished, test} from 'vitest'

import {makeSandbox, runJson, startServerProcess} from '../helpers/cli.js'
import {inOrder, startSink, waitFor} from '../helpers/delivery.js'
import {
  attemptsOf,
  connectedListeners,
  deliveriesOf,
  type Gateway,
  listenInProcess,
  ok,
  projectPath,
  reachable,
  sendWebhook,
  startGateway,
  startListen,
  succeeded,
} from './support.js'

/**
 * Issue 6, the remote path: `caravan server` as a public relay and `caravan listen` on a
 * "laptop" (its own config and data dirs) reaching it only through --gateway.
 */
describe('caravan listen against a remote gateway', () => {
  test('a public relay process: webhooks at its public ingest URL reach the app, results are recorded at the gateway, status lists the listener', async () => {
    const gatewayBox = makeSandbox('caravan-gateway-')
    onTestFinished(() => gatewayBox.cleanup())
    const server = await startServerProcess(gatewayBox.env, {
      args: ['--host', '0.0.0.0', '--public-url', 'https://hooks.example.com'],
    })
    onTestFinished(async () => {
      await server.stop({graceMs: 3000})
    })
    const g: Gateway = {url: server.url, key: server.apiKey, projectId: server.projectId}
    const app = await startSink(() => ({status: 202, body: 'accepted'}))

    const listener = await startListen(g, ['--forward', `${app.url}/hooks`, '--source', 'remote', '--name', 'laptop'])
    // Ingest URLs are the public ones, both in listen's Ready line and in the API.
    expect(listener.ingestUrl).toMatch(/^https:\/\/hooks\.example\.com\/ingest\/\w+$/)
    const sources = (await ok(g, 'GET', projectPath(g, '/sources?perPage=100'))).content
    expect(sources.find((s: {name: string}) => s.name === 'remote')?.url).toBe(listener.ingestUrl)
    // The laptop used the gateway: no embedded relay, nothing in its own data dir.
    expect(listener.stderr()).not.toMatch(/embedded relay/)
    expect(existsSync(listener.sandbox.dataDir) ? readdirSync(listener.sandbox.dataDir) : []).toEqual([])

    const ingest = reachable(g, listener.ingestUrl)
    const ids: string[] = []
    for (let seq = 0; seq < 3; seq++)
      ids.push(await sendWebhook(ingest, `{"seq":${seq}}`, seq === 2 ? '/github?delivery=abc' : ''))

    const got = await app.waitForRequests(3, 10_000)
    expect(got.map((r) => r.body.toString())).toEqual(['{"seq":0}', '{"seq":1}', '{"seq":2}'])
    expect(got.map((r) => r.url)).toEqual(['/hooks', '/hooks', '/hooks/github?delivery=abc'])

    // The gateway records each result: Success, one attempt holding the app's answer.
    for (const id of ids) {
      const [delivery] = await succeeded(g, id)
      const attempts = await attemptsOf(g, delivery.uid)
      expect(attempts).toHaveLength(1)
      expect(attempts[0]).toMatchObject({http_status: '202', status: true, response_data: 'accepted'})
    }
    const lines = await listener.waitForLines(3)
    expect(lines.map((l) => [l.event_id, l.status, l.retrying])).toEqual(ids.map((id) => [id, 202, false]))

    // `caravan status` from yet another machine lists the connected listener.
    const elsewhere = makeSandbox('caravan-status-')
    onTestFinished(() => elsewhere.cleanup())
    const status = await runJson(
      ['status', '--gateway', g.url, '--api-key', g.key, '--project', g.projectId, '--json'],
      {env: elsewhere.env},
    )
    expect(status).toMatchObject({reachable: true, error: null})
    expect(status.listeners).toEqual([
      expect.objectContaining({name: 'listen:laptop', source: 'remote', target: `${app.url}/hooks`, in_flight: 0}),
    ])

    // ^C ends listen cleanly, and the gateway stops listing it.
    listener.child.kill('SIGINT')
    expect((await listener.exited).code).toBe(0)
    await waitFor(async () => (await connectedListeners(g)).length === 0, {
      what: 'the listener to leave the gateway list',
    })
  })

  test('several listeners on one source (different --name) each receive every event, in order', async () => {
    const g = await startGateway()
    const apps = [await startSink(), await startSink()]
    // One `caravan listen` process and one in-process listen (the same service), like two laptops.
    const a = await startListen(g, ['--forward', apps[0].url, '--source', 'remote', '--name', 'alice'])
    const b = await listenInProcess(g, {target: apps[1].url, name: 'bob'})
    expect(b.ingestUrl).toBe(a.ingestUrl)
    const listed = await connectedListeners(g)
    expect(listed.map((l) => l.name).sort()).toEqual(['listen:alice', 'listen:bob'])

    const ids: string[] = []
    for (let seq = 0; seq < 5; seq++) ids.push(await sendWebhook(a.ingestUrl, {seq}))
    for (const app of apps) {
      const got = await app.waitForRequests(5, 10_000)
      expect(got.map((r) => JSON.parse(r.body.toString()).seq)).toEqual([0, 1, 2, 3, 4])
    }
    // One delivery per listener per event, each recorded as Success.
    for (const id of ids) {
      const both = await succeeded(g, id, 2)
      expect(new Set(both.map((d) => d.endpoint_id)).size).toBe(2)
    }
    expect((await a.waitForLines(5)).map((l) => l.event_id)).toEqual(ids)
    expect(b.attempts.map((r) => r.event_id)).toEqual(ids)
    expect(apps.map((app) => app.requests.length)).toEqual([5, 5])
  })

  test('a second listen with the same --name takes the listener over; the first stops with a clear message', async () => {
    const g = await startGateway()
    const app = await startSink()
    const first = await startListen(g, ['--forward', app.url, '--source', 'remote', '--name', 'shared'])
    const second = await startListen(g, ['--forward', app.url, '--source', 'remote', '--name', 'shared'])
    const result = await first.exited
    expect(result.code, result.stderr).toBe(8)
    expect(result.stderr).toMatch(/another caravan listen with the same name took over this listener/)
    expect(result.stderr).toMatch(/Hint: give each listen its own --name/)

    await sendWebhook(second.ingestUrl, {seq: 1})
    await app.waitForRequests(1, 10_000)
    expect((await second.waitForLines(1))[0].status).toBe(200)
    expect(first.lines()).toEqual([])
    expect((await connectedListeners(g)).map((l) => l.name)).toEqual(['listen:shared'])
  })

  test('a resend or a replay at the gateway reaches a listener that is connected (not only after it reconnects)', async () => {
    const g = await startGateway()
    // A 4xx is final: the first attempt ends as Failure.
    const app = await startSink(inOrder([{status: 400, body: 'bad'}]))
    const listener = await listenInProcess(g, {target: app.url, name: 'laptop'})
    const id = await sendWebhook(listener.ingestUrl, {seq: 0})
    const [failed] = await waitFor(
      async () => {
        const list = await deliveriesOf(g, id)
        return list[0]?.status === 'Failure' && list
      },
      {what: 'the first delivery to fail'},
    )

    await ok(g, 'PUT', projectPath(g, `/eventdeliveries/${failed.uid}/resend`))
    const [resent] = await succeeded(g, id)
    expect(resent.uid).toBe(failed.uid)
    expect((await attemptsOf(g, resent.uid)).map((a) => a.http_status)).toEqual(['400', '200'])

    await ok(g, 'PUT', projectPath(g, `/events/${id}/replay`))
    await succeeded(g, id, 2)
    expect((await app.waitForRequests(3)).map((r) => r.body.toString())).toEqual(Array(3).fill('{"seq":0}'))
  })
})
