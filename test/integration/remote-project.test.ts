import {mkdirSync, writeFileSync} from 'node:fs'

import {describe, expect, it, onTestFinished} from 'vitest'

import {makeSandbox, runCli, type ServerProcess, startServerProcess} from '../helpers/cli.js'
import {rawRequest, startApp, startListen} from '../helpers/listen.js'

/**
 * Issue 11 item 4, the README's remote example on a laptop: `listen --gateway URL --api-key
 * KEY` with no project picks the key's project (or the gateway's only/default one), and a
 * local profile for another gateway lends it neither its project nor its key.
 */

async function gateway(): Promise<ServerProcess> {
  const box = makeSandbox('caravan-remote-gw-')
  onTestFinished(() => box.cleanup())
  const server = await startServerProcess(box.env)
  onTestFinished(async () => void (await server.stop({graceMs: 3000})))
  return server
}

/** A laptop with a local profile of its own relay (another gateway, another project and key). */
function laptop() {
  const box = makeSandbox('caravan-laptop-')
  onTestFinished(() => box.cleanup())
  mkdirSync(box.configDir, {recursive: true})
  writeFileSync(
    box.configFile,
    JSON.stringify({
      current: 'local',
      profiles: {local: {gateway: 'http://127.0.0.1:1', apiKey: 'CARAVAN.laptop-key', project: '01LAPTOPPROJECT'}},
    }),
    {mode: 0o600},
  )
  return box
}

async function createProject(server: ServerProcess, name: string): Promise<{id: string; key: string}> {
  const res = await fetch(`${server.url}/api/v1/projects`, {
    method: 'POST',
    headers: {authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json'},
    body: JSON.stringify({name, type: 'outgoing'}),
  })
  const json = (await res.json()) as {data: {project: {uid: string}; api_key: {key: string}}}
  return {id: json.data.project.uid, key: json.data.api_key.key}
}

describe('listen --gateway URL --api-key KEY with no project', () => {
  it("uses the gateway's default project with the admin key, never the local profile's", async () => {
    const server = await gateway()
    const box = laptop()
    const app = await startApp()
    await createProject(server, 'other') // two projects now: the default one is chosen
    const listen = await startListen(
      ['--gateway', server.url, '--api-key', server.apiKey, '--forward', `${app.url}/hooks`],
      box.env,
    )
    expect(listen.stderr()).not.toMatch(/started an embedded relay/)
    expect(listen.ingestUrl.startsWith(`${server.url}/ingest/`)).toBe(true)
    const sources = await fetch(`${server.url}/api/v1/projects/${server.projectId}/sources`, {
      headers: {authorization: `Bearer ${server.apiKey}`},
    }).then((r) => r.json() as Promise<{data: {content: {url: string}[]}}>)
    expect(sources.data.content.map((s) => s.url)).toContain(listen.ingestUrl)
    expect((await rawRequest(listen.ingestUrl, {body: '{"remote":1}'})).status).toBe(200)
    const [got] = await app.waitFor(1)
    expect(got.body.toString()).toBe('{"remote":1}')
    expect((await listen.stop()).code).toBe(0)
  })

  it('a project key selects its own project', async () => {
    const server = await gateway()
    const box = laptop()
    const app = await startApp()
    const project = await createProject(server, 'team')
    const listen = await startListen(
      ['--gateway', server.url, '--api-key', project.key, '--forward', `${app.url}/hooks`],
      box.env,
    )
    const sources = await fetch(`${server.url}/api/v1/projects/${project.id}/sources`, {
      headers: {authorization: `Bearer ${server.apiKey}`},
    }).then((r) => r.json() as Promise<{data: {content: {url: string}[]}}>)
    expect(sources.data.content.map((s) => s.url)).toContain(listen.ingestUrl)
    expect((await listen.stop()).code).toBe(0)
  })

  it('several projects and none is the default: the error lists them', async () => {
    const server = await gateway()
    const box = laptop()
    // Rename the default project, so the key sees two projects and no default.
    const res = await fetch(`${server.url}/api/v1/projects/${server.projectId}`, {
      method: 'PUT',
      headers: {authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json'},
      body: JSON.stringify({name: 'main', type: 'outgoing'}),
    })
    expect(res.status).toBe(202)
    const other = await createProject(server, 'other')
    const result = await runCli(['listen', '--gateway', server.url, '--api-key', server.apiKey, '--forward', '3000'], {
      env: box.env,
    })
    expect(result.code, result.stderr).toBe(8)
    expect(result.stderr).toContain(`${server.projectId} (main)`)
    expect(result.stderr).toContain(`${other.id} (other)`)
    expect(result.stderr).toMatch(/Hint: pick one with --project <id>/)
  })

  it("without --api-key, the local profile's key is not sent to another gateway", async () => {
    const server = await gateway()
    const box = laptop()
    const result = await runCli(['listen', '--gateway', server.url, '--forward', '3000'], {env: box.env})
    expect(result.code, result.stderr).toBe(4)
    // "missing", not "invalid": no key at all went out.
    expect(result.stderr).toMatch(/missing API key/)
    const status = await runCli(['status', '--gateway', server.url, '--json'], {env: box.env})
    expect(JSON.parse(status.stdout)).toMatchObject({api_key: 'unset', project: null})
  })
})
