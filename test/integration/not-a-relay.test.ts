import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer, type IncomingHttpHeaders} from 'node:http'
import type {AddressInfo} from 'node:net'

import {describe, expect, it, onTestFinished} from 'vitest'

import {makeSandbox, runCli} from '../helpers/cli.js'

/**
 * Issue 11 item 6: something else on the relay's port, answering 200 to every path. No
 * command may send it an API key, and status, server and listen say the same thing.
 */

async function catchAllApp(): Promise<{url: string; port: number; seen: IncomingHttpHeaders[]}> {
  const seen: IncomingHttpHeaders[] = []
  const server = createServer((req, res) => {
    seen.push(req.headers)
    req.resume()
    res.writeHead(200, {'content-type': 'text/html'})
    res.end('<html>my app</html>')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(() => {
    server.closeAllConnections()
    server.close()
  })
  const port = (server.address() as AddressInfo).port
  return {url: `http://127.0.0.1:${port}`, port, seen}
}

describe('something that is not a relay on the relay port', () => {
  it('listen, status and server give one diagnosis and never send it the key', async () => {
    const app = await catchAllApp()
    const sandbox = makeSandbox('caravan-squat-')
    onTestFinished(() => sandbox.cleanup())
    // A local profile pointing there with a key, as a relay that ran on this port left it.
    mkdirSync(sandbox.configDir, {recursive: true})
    writeFileSync(
      sandbox.configFile,
      JSON.stringify({
        current: 'local',
        profiles: {local: {gateway: app.url, apiKey: 'CARAVAN.secret-admin-key', project: '01PROJECT'}},
      }),
      {mode: 0o600},
    )
    const env = {...sandbox.env, CARAVAN_GATEWAY: app.url}
    const diagnosis = new RegExp(`port ${app.port} on 127\\.0\\.0\\.1 is used by something that is not a Caravan relay`)
    const hint = /Hint: stop it, or use another port: caravan server --port \d+, or CARAVAN_GATEWAY=/

    const listen = await runCli(['listen', '--forward', '3000'], {env})
    expect(listen.code, listen.stderr).toBe(9)
    expect(listen.stdout).toBe('')
    expect(listen.stderr).toMatch(new RegExp(`^Error: ${diagnosis.source}`))
    expect(listen.stderr).toMatch(hint)

    const withKey = await runCli(['listen', '--forward', '3000', '--api-key', 'CARAVAN.flag-key'], {env})
    expect(withKey.code, withKey.stderr).toBe(9)

    const status = await runCli(['status'], {env})
    expect(status.code, status.stderr).toBe(7)
    expect(status.stdout).toMatch(/^status +not a gateway/m)
    expect(status.stdout).not.toMatch(/\bup\b/)
    expect(status.stderr).toMatch(diagnosis)
    expect(status.stderr).toMatch(hint)
    expect(status.stderr).not.toMatch(/caravan server$/m)

    const server = await runCli(['server', '--port', String(app.port)], {env})
    expect(server.code, server.stderr).toBe(9)
    expect(server.stderr).toMatch(new RegExp(`^Error: ${diagnosis.source}`))
    expect(server.stderr).toMatch(hint)

    // It was probed (so it was asked), but never given a key.
    expect(app.seen.length).toBeGreaterThan(0)
    expect(app.seen.filter((h) => h.authorization !== undefined)).toEqual([])
  })
})
