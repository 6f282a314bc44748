import {createHmac} from 'node:crypto'

import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort, makeSandbox, runCli, runJson} from '../helpers/cli.js'
import {type AppRequest, startApp, startListen, until} from '../helpers/listen.js'

/**
 * Issue 11 item 3, as the README tour runs it: `listen --source github` creates a noop
 * `github` that reads GitHub's event type; creating another `github` is refused with the command that upgrades it; after
 * that one command, every command means the same source and the triggered webhook reaches
 * the app, correctly signed.
 */

const signedBy = (req: AppRequest, secret: string) =>
  req.headers['x-hub-signature-256'] === `sha256=${createHmac('sha256', secret).update(req.body).digest('hex')}`

describe('one source per name, one resolver for every command', () => {
  it('the tour: listen creates github, create refuses a second, update upgrades it, trigger reaches the app', async () => {
    const sandbox = makeSandbox('caravan-tour-')
    onTestFinished(() => sandbox.cleanup())
    const env = {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`}
    const app = await startApp()
    const listen = await startListen(['--forward', `${app.url}/webhooks`, '--source', 'github'], env)
    // Named after GitHub, the new source reads the event type where GitHub puts it, before it can verify anything.
    const ping = await fetch(listen.ingestUrl, {
      method: 'POST',
      headers: {'content-type': 'application/json', 'x-github-event': 'ping'},
      body: '{"zen":"Design for failure."}',
    })
    expect(ping.status).toBe(200)
    await app.waitFor(1)
    const pinged = await runJson(['events', 'list', '--source', 'github', '--json'], {env})
    expect(pinged.content.map((e: {event_type: string}) => e.event_type)).toEqual(['ping'])

    const create = ['sources', 'create', '--name', 'github', '--provider', 'github', '--secret', 's3cr3t']
    const refused = await runCli(create, {env})
    expect(refused.code, refused.stderr).toBe(6)
    expect(refused.stdout).toBe('')
    expect(refused.stderr.split('\n')).toEqual([
      'Error: a source named "github" already exists in this project',
      'Hint: change it with: caravan sources update github --provider … --secret … (or pass --if-not-exists)',
      '',
    ])
    const again = await runJson([...create, '--if-not-exists', '--json'], {env})
    expect(again.name).toBe('github')
    expect(again.verifier.type).toBe('noop') // left unchanged: --if-not-exists never overwrites

    const upgraded = await runJson(
      ['sources', 'update', 'github', '--provider', 'github', '--secret', 's3cr3t', '--json'],
      {
        env,
      },
    )
    expect(upgraded.provider).toBe('github')
    expect(upgraded.url).toBe(listen.ingestUrl) // the same source listen uses: same ingest URL

    const list = await runJson(['sources', 'list', '--json'], {env})
    expect(list.content.filter((s: {name: string}) => s.name === 'github')).toHaveLength(1)

    const printed = await runCli(['listen', '--print-url', '--source', 'github'], {env})
    expect(printed.stdout.trim()).toBe(listen.ingestUrl)

    const trigger = await runJson(['trigger', 'github', 'push', '--source', 'github', '--json'], {env})
    expect(trigger.status).toBe(200)
    const got = (await app.waitFor(2))[1]
    expect(got.url).toBe('/webhooks')
    expect(signedBy(got, 's3cr3t')).toBe(true)

    const events = await runJson(['events', 'list', '--source', 'github', '--json'], {env})
    expect(events.content.map((e: {uid: string}) => e.uid)).toContain(trigger.event_id)

    const replay = await runCli(['replay', 'latest', '--source', 'github'], {env})
    expect(replay.code, replay.stderr).toBe(0)
    await until(() => app.requests.length >= 3 && app.requests[2], 'the replay at the app')
    expect(signedBy(app.requests[2], 's3cr3t')).toBe(true)

    const unknown = await runCli(['events', 'list', '--source', 'gitlab'], {env})
    expect(unknown.code).toBe(5)
    expect(unknown.stderr).toMatch(/^Error: no source named "gitlab"/)
    expect((await listen.stop()).code).toBe(0)
  })
})
