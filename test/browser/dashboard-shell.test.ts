import {WebSocket} from 'ws'
import {describe, expect, it} from 'vitest'

import {openPage, useBrowser} from '../helpers/browser.js'
import {useRelay} from '../helpers/relay.js'

const browser = useBrowser()

describe('dashboard: served by the relay', () => {
  it('serves /ui with a strict CSP, no caching of the page and immutable hashed assets', async () => {
    const t = await useRelay({deliver: false})
    const page = await fetch(`${t.url}/ui/some/deep/path?q=x`)
    expect(page.status).toBe(200)
    expect(page.headers.get('cache-control')).toBe('no-cache')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(page.headers.get('referrer-policy')).toBe('no-referrer')
    const html = await page.text()
    const script = /src="(\/ui\/assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1]
    expect(script).toBeDefined()
    const asset = await fetch(t.url + script)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(/javascript/)
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(`${t.url}/ui/assets/nope.js`)).status).toBe(404)
    expect((await fetch(`${t.url}/ui/assets/../../package.json`)).status).not.toBe(200)
    expect((await fetch(`${t.url}/ui/`, {method: 'POST'})).status).toBe(405)
    const bare = await fetch(`${t.url}/ui`, {redirect: 'manual'})
    expect(bare.status).toBe(308)
    expect(bare.headers.get('location')).toBe('/ui/')
  })

  it('the portal may be framed only by the configured origins', async () => {
    const t = await useRelay({deliver: false, portalOrigins: ['https://app.example.com']})
    const csp = (await fetch(`${t.url}/portal/`)).headers.get('content-security-policy') ?? ''
    expect(csp).toContain('frame-ancestors https://app.example.com')
    expect(csp).not.toContain('localhost')
  })
})

describe('dashboard: signing in', () => {
  it('takes the key from #key, drops it from the address bar and keeps it for the tab', async () => {
    const t = await useRelay({deliver: false})
    const {page, expectClean} = await openPage(browser())
    await page.goto(`${t.url}/ui/#key=${encodeURIComponent(t.key)}`)
    await page.getByRole('navigation').getByText('Endpoints').waitFor()
    expect(page.url()).not.toContain('key=')
    expect(page.url()).toContain(`/ui/${t.projectId}/events`)
    expect(await page.evaluate("sessionStorage.getItem('caravan.key')")).toBe(t.key)
    await page.reload()
    await page.getByRole('navigation').getByText('Endpoints').waitFor()
    expectClean()
  })

  it('without a key asks for one; a wrong key is refused with the server’s reason', async () => {
    const t = await useRelay({deliver: false})
    const {page, expectClean} = await openPage(browser(), {allow: [/401/]})
    await page.goto(`${t.url}/ui/`)
    await page.getByLabel('API key').fill('not-a-key')
    await page.getByRole('button', {name: 'Sign in'}).click()
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invalid API key')
    await page.getByLabel('API key').fill(t.key)
    await page.getByRole('button', {name: 'Sign in'}).click()
    await page.getByRole('navigation').getByText('Endpoints').waitFor()
    expectClean()
  })

  it('a project key sees only its own project', async () => {
    const t = await useRelay({deliver: false})
    const created = await t.api('POST', '/api/v1/projects', {name: 'second', type: 'outgoing'})
    const {project, api_key} = created.json.data as {project: {uid: string}; api_key: {key: string}}
    const {page, expectClean} = await openPage(browser())
    await page.goto(`${t.url}/ui/#key=${encodeURIComponent(api_key.key)}`)
    await page.waitForURL(new RegExp(`/ui/${project.uid}/events`))
    const options = await page.getByLabel('Project').locator('option').allTextContents()
    expect(options).toEqual(['second'])
    // Another project's path falls back to the key's own project.
    await page.goto(`${t.url}/ui/${t.projectId}/events`)
    await page.waitForURL(new RegExp(`/ui/${project.uid}/events`))
    expectClean()
  })
})

describe('the feed for browsers', () => {
  it('takes the key as a subprotocol and answers with caravan.feed only', async () => {
    const t = await useRelay({deliver: false})
    const url = `${t.url.replace('http', 'ws')}${t.p('/feed')}`
    const keyProtocol = `caravan.key.${Buffer.from(t.key).toString('base64url')}`
    const ws = new WebSocket(url, ['caravan.feed', keyProtocol])
    const hello = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)))
      ws.once('error', reject)
    })
    expect(JSON.parse(hello)).toMatchObject({type: 'hello', project_id: t.projectId})
    expect(ws.protocol).toBe('caravan.feed')
    ws.close()
    const wrong = new WebSocket(url, ['caravan.feed', `caravan.key.${Buffer.from('nope').toString('base64url')}`])
    const status = await new Promise<number>((resolve) =>
      wrong.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    )
    expect(status).toBe(401)
  })
})
