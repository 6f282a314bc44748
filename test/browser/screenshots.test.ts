import {mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {Svix} from 'svix'
import {describe, expect, it, onTestFinished} from 'vitest'

import {closedPort} from '../helpers/cli.js'
import {openPage, useBrowser} from '../helpers/browser.js'
import {ROOT} from '../helpers/cli.js'
import {useRelay} from '../helpers/relay.js'
import {createSource, ingest, openDashboard, rowIds, sourceEndpoint} from './fixtures-events.js'

const browser = useBrowser()

/**
 * The README's screenshots come from this test: a relay with two sources, an endpoint that
 * works and one that is down, and a few webhooks. `UPDATE_SCREENSHOTS=1 npx vitest run
 * test/browser/screenshots.test.ts` writes them to docs/screenshots; otherwise they go to
 * a temp dir, and the test still checks that each page shows the scene.
 */
function screenshotDir(): string {
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const dir = join(ROOT, 'docs', 'screenshots')
    mkdirSync(dir, {recursive: true})
    return dir
  }
  const dir = mkdtempSync(join(tmpdir(), 'caravan-screenshots-'))
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  return dir
}

const isPng = (file: string) => readFileSync(file).subarray(1, 4).toString('latin1') === 'PNG'

describe('screenshots for the README', () => {
  it('dashboard list, event detail, summary and the customer portal show the scene', async () => {
    const t = await useRelay()
    const dir = screenshotDir()
    const github = await createSource(t, 'github')
    const stripe = await createSource(t, 'stripe')
    await sourceEndpoint(t, github, 'ci-runner', `${t.receiver.url}/ci`)
    await sourceEndpoint(t, stripe, 'billing', `${t.receiver.url}/billing`)
    await sourceEndpoint(t, stripe, 'ledger (down)', `http://127.0.0.1:${await closedPort()}/ledger`)
    const sent: string[] = []
    for (const [source, type, body] of [
      [github, 'push', {ref: 'refs/heads/main', commits: [{id: '9f2c1e0', message: 'Fix retry backoff'}]}],
      [github, 'pull_request', {action: 'opened', number: 42, title: 'Add the web dashboard'}],
      [stripe, 'invoice.paid', {id: 'in_1Q2w3E', amount_paid: 4200, currency: 'eur', customer: 'cus_9Xy'}],
      [github, 'push', {ref: 'refs/heads/feature/ui', commits: [{id: '4b7d2aa', message: 'Summary chart'}]}],
      [stripe, 'customer.created', {id: 'cus_9Xy', email: 'ada@example.com'}],
      [stripe, 'invoice.paid', {id: 'in_7Rt5Yu', amount_paid: 1999, currency: 'usd', customer: 'cus_3Ab'}],
    ] as const)
      sent.push(await ingest(t, source, {type, body: JSON.stringify(body), contentType: 'application/json'}))
    await expect.poll(() => t.receiver.requests.length, {timeout: 15_000}).toBeGreaterThanOrEqual(sent.length)

    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, '/events')
    await expect.poll(() => rowIds(page), {timeout: 15_000}).toEqual([...sent].reverse())
    await page.screenshot({path: join(dir, 'dashboard-events.png')})

    const invoice = sent[5]
    await openDashboard(page, t, `/events/${invoice}`)
    await page.getByRole('region', {name: 'Deliveries'}).getByText('ledger (down)').first().waitFor()
    await expect.poll(() => page.getByRole('region', {name: 'Body'}).textContent()).toContain('in_7Rt5Yu')
    await page.screenshot({path: join(dir, 'dashboard-detail.png'), fullPage: true})

    await openDashboard(page, t, '/summary')
    const bars = page.locator('svg.chart [data-value]')
    await expect.poll(async () => (await bars.count()) > 0).toBe(true)
    await page.screenshot({path: join(dir, 'dashboard-summary.png')})
    expectClean()

    // The portal, as a Svix app's customer sees it.
    const svix = new Svix(t.key, {serverUrl: t.url})
    const app = await svix.application.create({name: 'Acme Inc.', uid: 'acme'})
    await svix.endpoint.create(app.id, {url: `${t.receiver.url}/acme/orders`, description: 'Order updates'})
    await svix.endpoint.create(app.id, {url: `${t.receiver.url}/acme/billing`, description: 'Billing sync'})
    await svix.message.create(app.id, {eventType: 'invoice.paid', payload: {id: 'in_1Q2w3E', amount_paid: 4200}})
    const {url} = await svix.authentication.appPortalAccess('acme', {})
    const portal = await openPage(browser())
    await portal.page.goto(url)
    await portal.page.getByText('Order updates').first().waitFor()
    await portal.page.getByText('Billing sync').first().waitFor()
    await portal.page.screenshot({path: join(dir, 'portal.png')})
    portal.expectClean()

    for (const name of ['dashboard-events', 'dashboard-detail', 'dashboard-summary', 'portal'])
      expect(isPng(join(dir, `${name}.png`)), name).toBe(true)
  })
})
