import {describe, expect, it, onTestFinished} from 'vitest'

import {openPage, useBrowser} from '../helpers/browser.js'
import {listenInProcess} from '../helpers/listen-in-process.js'
import {startSink} from '../helpers/delivery.js'
import {useRelay} from '../helpers/relay.js'
import {createSource, ingest, openDashboard, rowIds} from './fixtures-events.js'

const browser = useBrowser()

describe('dashboard events: edit and replay', () => {
  it('edits a JSON field and a header, sends them to the running caravan listen, and links the new event', async () => {
    const t = await useRelay()
    const app = await startSink()
    onTestFinished(() => app.close())
    const source = await createSource(t, 'dev')
    await listenInProcess(t, {source: 'dev', target: `${app.url}/hooks`, name: 'laptop', skipBacklog: true})
    const id = await ingest(t, source, {
      type: 'order.created',
      body: '{"order":1,"total":10}',
      contentType: 'application/json',
      headers: {'x-tenant': 'acme'},
    })
    await app.waitForRequests(1)

    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, `/events/${id}`)
    await page.getByRole('button', {name: 'Edit and replay'}).click()
    const form = page.getByRole('form', {name: 'Edit and replay'})
    const headers = form.getByLabel(/^Headers/)
    const body = form.getByLabel(/^Body/)
    expect(await headers.inputValue()).toContain('x-tenant: acme')
    expect(await body.inputValue()).toBe('{"order":1,"total":10}')
    await headers.fill((await headers.inputValue()).replace('x-tenant: acme', 'x-tenant: globex'))
    await body.fill('{"order":1,"total":99}')
    const option = form.getByLabel('Send edited to').locator('option', {hasText: /listener .*laptop.*running/})
    await option.waitFor({state: 'attached'})
    await form.getByLabel('Send edited to').selectOption((await option.getAttribute('value')) ?? '')
    await form.getByRole('button', {name: 'Send'}).click()

    const [, again] = await app.waitForRequests(2)
    expect(again.body.toString()).toBe('{"order":1,"total":99}')
    expect(again.headers['x-tenant']).toBe('globex')
    const link = form.getByRole('status').getByRole('link')
    await link.waitFor()
    const newId = (await link.textContent()) ?? ''
    expect(newId).not.toBe(id)
    await link.click()
    await page.waitForURL(new RegExp(`/events/${newId}$`))
    await page.locator('dd.mono', {hasText: newId}).waitFor()

    await page.getByRole('link', {name: '← Events'}).click()
    await expect.poll(() => rowIds(page)).toEqual([newId, id])
    expectClean()
  })

  it('disables edit and replay for a request that failed signature verification, saying why', async () => {
    const t = await useRelay({deliver: false})
    const res = await t.api('POST', t.p('/sources'), {
      name: 'gh',
      type: 'http',
      verifier: {type: 'hmac', hmac: {header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex', secret: 's'}},
    })
    expect(res.status, JSON.stringify(res.json)).toBe(201)
    const sent = await fetch(res.json.data.url, {method: 'POST', headers: {'x-hub-signature-256': '00'}, body: '{}'})
    expect(sent.status).toBe(401)
    const id = sent.headers.get('x-caravan-event-id') ?? ''
    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, `/events/${id}`)
    const button = page.getByRole('button', {name: 'Edit and replay'})
    await button.waitFor()
    expect(await button.isDisabled()).toBe(true)
    await page.getByText(/No edit and replay: the request failed signature verification/).waitFor()
    expectClean()
  })
})
