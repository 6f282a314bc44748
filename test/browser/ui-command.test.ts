import {describe, expect, it, onTestFinished} from 'vitest'

import {openPage, useBrowser} from '../helpers/browser.js'
import {closedPort, makeSandbox, runCli, runJson, startServerProcess} from '../helpers/cli.js'

const browser = useBrowser()

describe('caravan ui', () => {
  it('prints a link that opens the dashboard signed in, with the key only in the fragment', async () => {
    const sandbox = makeSandbox('caravan-ui-')
    onTestFinished(() => sandbox.cleanup())
    const server = await startServerProcess(sandbox.env)
    onTestFinished(() => server.stop().then(() => undefined))
    // The key comes from the local profile `caravan server` wrote; only the address is given.
    const env = {...sandbox.env, CARAVAN_GATEWAY: server.url}
    const out = await runJson<{url: string; opened: boolean}>(['ui', '--no-open', '--json'], {env})
    expect(out.opened).toBe(false)
    const url = new URL(out.url)
    expect(url.origin).toBe(server.url)
    expect(url.pathname).toBe(`/ui/${server.projectId}/events`)
    expect(new URLSearchParams(url.hash.slice(1)).get('key')).toBe(server.apiKey)

    const {page, expectClean} = await openPage(browser())
    const requested: string[] = []
    page.on('request', (r) => requested.push(r.url()))
    await page.goto(out.url)
    await page.getByRole('navigation').getByText('Endpoints').waitFor()
    expect(page.url()).toBe(`${server.url}/ui/${server.projectId}/events`)
    // The key never went to the server in a URL.
    expect(requested.filter((u) => u.includes(server.apiKey))).toEqual([])
    expectClean()

    // In CI (no browser to open) the human output is the link and why it was not opened.
    const human = await runCli(['ui'], {env: {...env, CI: 'true'}})
    expect(human.code).toBe(0)
    expect(human.stdout.split('\n')[0]).toBe(out.url)
    expect(human.stdout).toContain('Not opened (running in CI)')
  })

  it('says when no relay answers, with the command that starts one', async () => {
    const sandbox = makeSandbox('caravan-ui-')
    onTestFinished(() => sandbox.cleanup())
    const result = await runCli(['ui', '--no-open'], {
      env: {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`},
    })
    expect(result.code).toBe(3)
    expect(result.stderr).toMatch(/no relay answers at http:\/\/127\.0\.0\.1:\d+/)
    expect(result.stderr).toContain('caravan server')
  })
})
