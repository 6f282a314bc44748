import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'

import {build} from 'esbuild'
import type {Page} from 'playwright-core'
import {onTestFinished} from 'vitest'
import {Svix} from 'svix'
import {describe, expect, it} from 'vitest'

import {openPage, useBrowser} from '../helpers/browser.js'
import {createEndpoint, createSubscription, sendEvent} from '../helpers/fixtures.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'
import {storeSnapshot} from '../helpers/store-snapshot.js'

const browser = useBrowser()

/** A SaaS's page that embeds the portal: served from a real HTTP server on `host`, closed after the test. */
async function hostPage(host: string, files: Record<string, {type: string; body: string}>, port = 0) {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    const file = files[path]
    if (!file) return void res.writeHead(path === '/favicon.ico' ? 204 : 404).end()
    res.writeHead(200, {'content-type': file.type}).end(file.body)
  })
  await new Promise<void>((resolve) => server.listen(port, host === 'localhost' ? '127.0.0.1' : host, resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return {url: `http://${host}:${(server.address() as AddressInfo).port}`, port: (server.address() as AddressInfo).port}
}

const html = (body: string) => ({type: 'text/html', body: `<!doctype html><html><body>${body}</body></html>`})

/** An application with the invoice.paid event type (with an example), one endpoint and one message. */
async function svixApp(t: TestRelay, uid: string) {
  const svix = new Svix(t.key, {serverUrl: t.url})
  await svix.eventType
    .create({
      name: 'invoice.paid',
      description: 'An invoice was paid',
      schemas: {'1': {type: 'object', examples: [{id: 'in_example'}]}},
    })
    .catch(() => undefined)
  const app = await svix.application.create({name: `App ${uid}`, uid})
  const endpoint = await svix.endpoint.create(app.id, {url: `${t.receiver.url}/${uid}`, description: `${uid} hook`})
  const message = await svix.message.create(app.id, {eventType: 'invoice.paid', payload: {app: uid}})
  return {svix, app, endpoint, message}
}

const button = (page: Page, name: string) => page.getByRole('button', {name, exact: true})

describe('customer portal: a Svix application', () => {
  it('manages endpoints, the secret, examples, recovery and resends from an app-portal-access URL', async () => {
    const t = await useRelay()
    const {svix, endpoint, message} = await svixApp(t, 'acme')
    const {url} = await svix.authentication.appPortalAccess('acme', {})
    const {page, expectClean} = await openPage(browser())
    await page.goto(url)
    await page.getByRole('heading', {name: 'App acme'}).waitFor()
    expect(page.url()).not.toContain('key=')
    await page.getByRole('link', {name: endpoint.url}).waitFor()

    // Create, edit.
    await page.getByRole('link', {name: 'Add endpoint'}).click()
    await page.getByLabel('Endpoint URL').fill(`${t.receiver.url}/new`)
    await page.getByLabel('Description').fill('new hook')
    await page.getByLabel('invoice.paid').check()
    await button(page, 'Create').click()
    await page.getByRole('heading', {name: `${t.receiver.url}/new`}).waitFor()
    const created = page.url().split('/').pop()!
    expect((await svix.endpoint.get('acme', created)).filterTypes).toEqual(['invoice.paid'])
    await page.getByRole('link', {name: 'Edit'}).click()
    await page.getByLabel('Description').fill('renamed hook')
    await button(page, 'Save').click()
    await page.getByText('renamed hook').waitFor()

    // Secret: reveal, rotate.
    await button(page, 'Reveal').click()
    const secret = page.getByLabel('Signing secret')
    const before = await secret.textContent()
    expect(before).toBe((await svix.endpoint.getSecret('acme', created)).key)
    await button(page, 'Rotate').click()
    await page.getByText('Secret rotated').waitFor()
    expect(await secret.textContent()).not.toBe(before)
    expect(await secret.textContent()).toBe((await svix.endpoint.getSecret('acme', created)).key)

    // Testing: an example, and recovery of what failed.
    await button(page, 'Send example').click()
    await page.getByText(/Example sent/).waitFor()
    await expect.poll(() => t.receiver.requests.filter((r) => r.url === '/new').length).toBe(1)
    expect(JSON.parse(t.receiver.requests.find((r) => r.url === '/new')!.body.toString())).toEqual({id: 'in_example'})
    await button(page, 'Recover').click()
    await page.getByText(/failed messages? sent again/).waitFor()

    // The message log with attempts; resend.
    await page.getByRole('link', {name: 'Messages'}).click()
    await page.getByRole('link', {name: message.id}).click()
    await page.getByLabel('Payload').getByText('"app": "acme"').waitFor()
    await page.getByRole('table', {name: 'Attempts'}).getByText('200').first().waitFor()
    await button(page, 'Resend').click()
    await page.getByText('Resent.').waitFor()
    await expect.poll(() => t.receiver.requests.filter((r) => r.url === '/acme').length).toBe(2)

    // Delete (with a confirmation step).
    await page.goto(`${t.url}/portal/endpoints/${created}`)
    await button(page, 'Delete').click()
    await button(page, 'Confirm delete').click()
    await page.getByRole('heading', {name: 'Endpoints'}).waitFor()
    expect(await page.getByRole('link', {name: `${t.receiver.url}/new`}).count()).toBe(0)
    expectClean()
  })

  it("a token for application A cannot reach application B's data, in the UI or the API", async () => {
    const t = await useRelay({deliver: false})
    await svixApp(t, 'a')
    const b = await svixApp(t, 'b')
    const {url, token} = await b.svix.authentication.appPortalAccess('a', {})
    const {page, expectClean} = await openPage(browser(), {allow: [/404/]})
    await page.goto(url)
    await page.getByRole('heading', {name: 'App a'}).waitFor()
    expect(await page.getByRole('link', {name: b.endpoint.url}).count()).toBe(0)
    await page.goto(`${t.url}/portal/endpoints/${b.endpoint.id}`)
    await page.getByRole('heading', {name: 'Not found'}).waitFor()
    await page.goto(`${t.url}/portal/messages/${b.message.id}`)
    await page.getByRole('heading', {name: 'Not found'}).waitFor()

    const snapshot = storeSnapshot(t.relay.db)
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${t.url}/portal-api/v1${path}`, {
        method,
        headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then((r) => r.status)
    const ep = `/endpoints/${b.endpoint.id}`
    expect(await call('GET', ep)).toBe(404)
    expect(await call('PATCH', ep, {description: 'x'})).toBe(404)
    expect(await call('DELETE', ep)).toBe(404)
    expect(await call('GET', `${ep}/secret`)).toBe(404)
    expect(await call('POST', `${ep}/secret/rotate`)).toBe(404)
    expect(await call('POST', `${ep}/send-example`, {eventType: 'invoice.paid'})).toBe(404)
    expect(await call('POST', `${ep}/recover`, {since: new Date(0).toISOString()})).toBe(404)
    expect(await call('GET', `/messages/${b.message.id}`)).toBe(404)
    expect(storeSnapshot(t.relay.db)).toBe(snapshot)
    expectClean()
  })

  it('a read-only session shows no mutation and the API refuses them', async () => {
    const t = await useRelay({deliver: false})
    const {svix, endpoint} = await svixApp(t, 'acme')
    const {url, token} = await svix.authentication.appPortalAccess('acme', {readOnly: true})
    const {page, expectClean} = await openPage(browser())
    await page.goto(url)
    await page.getByText('Read-only').waitFor()
    await page.getByRole('link', {name: endpoint.url}).click()
    await button(page, 'Reveal').waitFor()
    for (const name of ['Delete', 'Rotate', 'Send example', 'Recover'])
      expect(await button(page, name).count(), name).toBe(0)
    expect(await page.getByRole('link', {name: 'Edit'}).count()).toBe(0)
    await page.getByRole('link', {name: 'Endpoints'}).click()
    await page.getByRole('link', {name: endpoint.url}).waitFor()
    expect(await page.getByRole('link', {name: 'Add endpoint'}).count()).toBe(0)
    const res = await fetch(`${t.url}/portal-api/v1/endpoints/${endpoint.id}`, {
      method: 'DELETE',
      headers: {authorization: `Bearer ${token}`},
    })
    expect(res.status).toBe(403)
    expectClean()
  })

  it('the message log pages with "Load more", newest first, without repeats', async () => {
    const t = await useRelay({deliver: false})
    const {svix, app, message} = await svixApp(t, 'acme')
    const ids = [message.id]
    for (let i = 0; i < 54; i++)
      ids.push((await svix.message.create(app.id, {eventType: 'invoice.paid', payload: {n: i}})).id)
    const {url} = await svix.authentication.appPortalAccess('acme', {})
    const {page, expectClean} = await openPage(browser())
    await page.goto(url)
    await page.getByRole('link', {name: 'Messages'}).click()
    const rows = page.getByRole('table', {name: 'Messages'}).locator('tbody tr')
    await expect.poll(() => rows.count()).toBe(50)
    await button(page, 'Load more').click()
    await expect.poll(() => rows.count()).toBe(55)
    expect(await button(page, 'Load more').count()).toBe(0)
    const shown = await rows.locator('a.mono').allTextContents()
    expect(shown).toEqual([...ids].reverse())
    expectClean()
  })

  it('an expired session (expiry, or expire-all) ends in the UI, and the API says 401', async () => {
    const t = await useRelay({deliver: false})
    const {svix} = await svixApp(t, 'acme')
    const short = await svix.authentication.appPortalAccess('acme', {expiry: 2})
    const {page, expectClean} = await openPage(browser(), {allow: [/401/]})
    await page.goto(short.url)
    // Open (unless a slow machine took the 2 s to load it), then ended by the clock alone.
    await page.getByRole('heading', {name: /App acme|Your session has expired/}).waitFor()
    await page.getByRole('heading', {name: 'Your session has expired'}).waitFor({timeout: 10_000})
    const res = await fetch(`${t.url}/portal-api/v1/session`, {headers: {authorization: `Bearer ${short.token}`}})
    expect(res.status).toBe(401)

    const long = await svix.authentication.appPortalAccess('acme', {sessionId: 'one'})
    await page.goto('about:blank')
    await page.goto(long.url)
    await page.getByRole('heading', {name: 'App acme'}).waitFor()
    await svix.authentication.expireAll('acme', {sessionIds: ['one']})
    await page.getByRole('link', {name: 'Messages'}).click()
    await page.getByRole('heading', {name: 'Your session has expired'}).waitFor()
    expectClean()
  })
})

describe('customer portal: a Convoy portal link', () => {
  it("shows the owner's endpoints and messages; can_manage_endpoint decides whether it may change them", async () => {
    const t = await useRelay()
    const mine = await createEndpoint(t, {name: 'mine', owner_id: 'acme', url: `${t.receiver.url}/mine`})
    await createSubscription(t, mine)
    await createEndpoint(t, {name: 'theirs', owner_id: 'globex', url: `${t.receiver.url}/theirs`})
    await sendEvent(t, 'fanout', {owner_id: 'acme', event_type: 'order.created', data: {order: 1}})
    const link = (await t.api('POST', t.p('/portal-links'), {name: 'Acme portal', owner_id: 'acme'})).json.data
    const {page, expectClean} = await openPage(browser())
    await page.goto(link.url)
    await page.getByRole('heading', {name: 'Acme portal'}).waitFor()
    await page.getByRole('link', {name: `${t.receiver.url}/mine`}).waitFor()
    expect(await page.getByRole('link', {name: `${t.receiver.url}/theirs`}).count()).toBe(0)
    expect(await page.getByRole('link', {name: 'Add endpoint'}).count()).toBe(0)
    await page.getByRole('link', {name: `${t.receiver.url}/mine`}).click()
    await button(page, 'Reveal').click()
    await page.getByLabel('Signing secret').waitFor()
    for (const name of ['Delete', 'Rotate', 'Send example', 'Recover'])
      expect(await button(page, name).count(), name).toBe(0)
    await page.getByRole('table', {name: 'Messages'}).getByText('order.created').waitFor()

    await t.api('PUT', t.p(`/portal-links/${link.uid}`), {can_manage_endpoint: true})
    await page.reload()
    await page.getByLabel('Event type').fill('order.created')
    await button(page, 'Send example').click()
    await page.getByText(/Example sent/).waitFor()
    await page.getByRole('link', {name: 'Endpoints'}).click()
    await page.getByRole('link', {name: 'Add endpoint'}).click()
    await page.getByLabel('Endpoint URL').fill(`${t.receiver.url}/second`)
    await button(page, 'Create').click()
    await button(page, 'Delete').waitFor()
    const id = page.url().split('/').pop()!
    expect((await t.api('GET', t.p(`/endpoints/${id}`))).json.data.owner_id).toBe('acme')
    await page.getByRole('link', {name: 'Messages'}).click()
    await page.getByRole('link', {name: /\w+/}).last().waitFor()
    expectClean()
  })
})

describe('customer portal: embedded', () => {
  it('loads in an iframe on an allowed origin and is refused on any other', async () => {
    // The allowed host's port must be known before the relay starts: start it first.
    const files: Record<string, {type: string; body: string}> = {}
    const allowed = await hostPage('127.0.0.1', files)
    const refused = await hostPage('localhost', files)
    const t = await useRelay({deliver: false, portalOrigins: [allowed.url]})
    const {svix} = await svixApp(t, 'acme')
    const {url} = await svix.authentication.appPortalAccess('acme', {})
    files['/'] = html(`<iframe id="portal" src="${url}" width="900" height="600"></iframe>`)

    const ok = await openPage(browser())
    await ok.page.goto(`${allowed.url}/`)
    await ok.page.frameLocator('#portal').getByRole('heading', {name: 'App acme'}).waitFor()
    ok.expectClean()

    const blocked = await openPage(browser(), {allow: [/frame-ancestors/]})
    await blocked.page.goto(`${refused.url}/`)
    await blocked.page.waitForTimeout(1000)
    const frame = blocked.page.frames().find((f) => f !== blocked.page.mainFrame())
    expect(frame).toBeDefined()
    // Chromium swaps a refused frame for its error page: nothing of the portal runs there.
    expect(frame!.url()).not.toContain('/portal/')
    expect(await frame!.getByText('App acme').count()).toBe(0)
    expect(await frame!.locator('.portal-page').count()).toBe(0)
    blocked.expectClean()
  })

  it("takes svix-react's darkMode, primaryColor, fontFamily and icon, and resizes its fullSize frame", async () => {
    const t = await useRelay({deliver: false})
    const {svix} = await svixApp(t, 'acme')
    const {url} = await svix.authentication.appPortalAccess('acme', {})
    const icon = `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>').toString('base64')}`
    const bundle = await build({
      stdin: {
        contents: `
          import {createRoot} from 'react-dom/client'
          import {AppPortal} from 'svix-react'
          const url = new URLSearchParams(location.search).get('portal')
          createRoot(document.getElementById('root')).render(
            <AppPortal url={url} fullSize darkMode primaryColor="#ff0000" fontFamily="Courier" icon=${JSON.stringify(icon)} />,
          )`,
        resolveDir: process.cwd(),
        loader: 'tsx',
      },
      bundle: true,
      write: false,
      format: 'esm',
      jsx: 'automatic',
      define: {'process.env.NODE_ENV': '"production"'},
      logLevel: 'silent',
    })
    const host = await hostPage('127.0.0.1', {
      '/': html('<div id="root"></div><script type="module" src="/host.js"></script>'),
      '/host.js': {type: 'text/javascript', body: bundle.outputFiles[0].text},
    })
    const {page, expectClean} = await openPage(browser())
    await page.goto(`${host.url}/?portal=${encodeURIComponent(url)}`)
    const frame = page.frameLocator('iframe')
    await frame.getByRole('heading', {name: 'App acme'}).waitFor()
    const src = await page.locator('iframe').getAttribute('src')
    expect(src).toContain('/portal/?darkMode=true&fontFamily=Courier')
    // Strings: this file is compiled without the DOM's types; the code runs in the frame.
    const portalFrame = page.frames().find((f) => f.url().includes('/portal/'))!
    const styles = await portalFrame.evaluate<{
      font: string
      background: string
      primary: string
      buttonBackground: string
      icon: string | null
      root: number
    }>(`(() => {
      const css = getComputedStyle(document.body)
      const button = document.querySelector('a.button.primary')
      return {
        font: css.fontFamily,
        background: css.backgroundColor,
        primary: getComputedStyle(document.documentElement).getPropertyValue('--primary').trim(),
        buttonBackground: button ? getComputedStyle(button).backgroundColor : '',
        icon: document.querySelector('img.portal-icon')?.getAttribute('src') ?? null,
        root: Math.ceil(document.getElementById('root').getBoundingClientRect().height),
      }
    })()`)
    expect(styles.font).toMatch(/^Courier/)
    expect(styles.background).toBe('rgb(13, 17, 23)')
    expect(styles.primary).toBe('#ff0000')
    expect(styles.buttonBackground).toBe('rgb(255, 0, 0)')
    expect(styles.icon).toBe(icon)
    // fullSize: the frame takes the height the portal posts (the iframe's own default is 150px).
    await expect
      .poll(() => page.evaluate<string>(`document.querySelector('iframe').style.height`))
      .toBe(`${styles.root}px`)
    expectClean()
  })
})
