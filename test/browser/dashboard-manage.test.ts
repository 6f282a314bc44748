import {createHmac} from 'node:crypto'

import type {Locator, Page} from 'playwright-core'
import {describe, expect, it} from 'vitest'

import {openPage, useBrowser} from '../helpers/browser.js'
import {type ReceivedRequest, type TestRelay, useRelay} from '../helpers/relay.js'

const browser = useBrowser()

/** Chromium logs a failed fetch (the 400s these tests provoke) as a console error. */
const SERVER_REFUSALS = [/the server responded with a status of 400/]

/** Sign in with the admin key, then open a dashboard path of the default project. */
async function openDashboard(t: TestRelay, path: string, opts: {allow?: RegExp[]} = {}) {
  const watched = await openPage(browser(), opts)
  await watched.page.goto(`${t.url}/ui/#key=${encodeURIComponent(t.key)}`)
  await watched.page.getByRole('navigation').getByText('Endpoints').waitFor()
  await watched.page.goto(`${t.url}/ui/${t.projectId}${path}`)
  return watched
}

async function waitForRequest(t: TestRelay, match: (r: ReceivedRequest) => boolean): Promise<ReceivedRequest> {
  await expect.poll(() => t.receiver.requests.some(match), {timeout: 5000}).toBe(true)
  return t.receiver.requests.find(match)!
}

/** The numbers a chart's bars of one series carry (their data-value), in time order. */
async function barValues(chart: Locator, series: string): Promise<number[]> {
  const bars = await chart.locator(`rect[data-series="${series}"]`).all()
  return Promise.all(bars.map(async (bar) => Number(await bar.getAttribute('data-value'))))
}

const alertText = (page: Page) => page.getByRole('alert').first().textContent()

/** The project's config as stored (read past the spec check: Caravan's config has more fields than Convoy's). */
async function storedConfig(t: TestRelay): Promise<Record<string, unknown>> {
  const res = await fetch(t.url + t.p(), {headers: {authorization: `Bearer ${t.key}`}})
  return ((await res.json()) as {data: {config: Record<string, unknown>}}).data.config
}

describe('dashboard: endpoints', () => {
  it('creates (server errors shown), edits, pauses and activates an endpoint and sends it a test event', async () => {
    const t = await useRelay()
    const {page, expectClean} = await openDashboard(t, '/endpoints', {allow: SERVER_REFUSALS})
    await page.getByRole('button', {name: 'New endpoint'}).click()
    const form = page.getByRole('form', {name: 'New endpoint'})
    await form.getByLabel('Name', {exact: true}).fill('orders <b>app</b>')
    await form.getByLabel('URL').fill(`${t.receiver.url}/orders`)
    await form.getByLabel('HTTP timeout (s)').fill('999')
    await form.getByRole('button', {name: 'Create endpoint'}).click()
    expect(await alertText(page)).toMatch(/http_timeout/)
    expect((await t.api('GET', t.p('/endpoints'))).json.data.content).toEqual([])

    await form.getByLabel('HTTP timeout (s)').fill('15')
    await form.getByLabel('Owner ID').fill('tenant-1')
    await form.getByLabel('Authentication').selectOption('api_key')
    await form.getByLabel('Auth header name').fill('X-Api-Key')
    await form.getByLabel('Auth header value').fill('k-123')
    await form.getByRole('button', {name: 'Create endpoint'}).click()
    await page.waitForURL(/\/endpoints\/[0-9A-Z]{26}$/)
    const id = page.url().split('/').at(-1)!
    // Names are text, never markup.
    await page.getByRole('heading', {name: 'orders <b>app</b>'}).waitFor()
    const created = (await t.api('GET', t.p(`/endpoints/${id}`))).json.data
    expect(created).toMatchObject({
      name: 'orders <b>app</b>',
      url: `${t.receiver.url}/orders`,
      http_timeout: 15,
      owner_id: 'tenant-1',
      authentication: {type: 'api_key', api_key: {header_name: 'X-Api-Key', header_value: 'k-123'}},
    })

    await page.getByRole('button', {name: 'Edit'}).click()
    const edit = page.getByRole('form', {name: 'Edit endpoint'})
    await edit.getByLabel('Name', {exact: true}).fill('orders')
    await edit.getByLabel('Max in flight').fill('3')
    await edit.getByLabel('Support email').fill('ops@example.com')
    await edit.getByRole('button', {name: 'Save endpoint'}).click()
    await page.getByRole('heading', {name: 'orders', exact: true}).waitFor()
    expect((await t.api('GET', t.p(`/endpoints/${id}`))).json.data).toMatchObject({
      name: 'orders',
      max_in_flight: 3,
      support_email: 'ops@example.com',
    })

    await page.getByRole('button', {name: 'Pause'}).click()
    await page.getByRole('button', {name: 'Unpause'}).waitFor()
    expect((await t.api('GET', t.p(`/endpoints/${id}`))).json.data.status).toBe('paused')
    await page.getByRole('button', {name: 'Activate'}).click()
    await page.getByRole('button', {name: 'Pause'}).waitFor()
    expect((await t.api('GET', t.p(`/endpoints/${id}`))).json.data.status).toBe('active')

    const test = page.getByRole('form', {name: 'Test event'})
    await test.getByLabel('Event type').fill('order.test')
    await test.getByLabel('Data (JSON)').fill('{"order": 42}')
    await test.getByRole('button', {name: 'Send test event'}).click()
    await test.getByRole('status').getByRole('link').waitFor()
    const got = await waitForRequest(t, (r) => r.url === '/orders')
    expect(JSON.parse(got.body.toString('utf8'))).toEqual({order: 42})
    expect(got.headers['x-api-key']).toBe('k-123')

    // The list shows it with its status, breaker state and failure rate.
    await page.getByRole('link', {name: 'All endpoints'}).click()
    const row = page.getByRole('table', {name: 'Endpoints'}).getByRole('row', {name: /orders/})
    await expect.poll(() => row.textContent()).toMatch(/active.*closed.*0%/)
    await page.getByRole('button', {name: 'New endpoint'}).click()
    await page.screenshot({path: '/tmp/manage-endpoints.png', fullPage: true})
    expectClean()
  })

  it('rolls the secret with an expiry: the new secret signs, the old one still does during the window', async () => {
    const t = await useRelay()
    const endpoint = (
      await t.api('POST', t.p('/endpoints'), {
        name: 'signed',
        url: `${t.receiver.url}/signed`,
        secret: 'old-secret-value',
        advanced_signatures: true,
      })
    ).json.data
    const {page, expectClean} = await openDashboard(t, `/endpoints/${endpoint.uid}`)
    // Without a subscription an event sent to the endpoint is not delivered: the page says so.
    await page.getByText('This endpoint has no subscription').waitFor()
    await page.getByRole('button', {name: 'Subscribe to all events'}).click()
    await page.getByRole('region', {name: 'Subscriptions of this endpoint'}).getByText('signed (all events)').waitFor()
    const secret = page.getByRole('region', {name: 'Secret'})
    await secret.getByRole('button', {name: 'Reveal'}).click()
    expect(await secret.getByLabel('Current secret').textContent()).toBe('old-secret-value')
    await secret.getByRole('button', {name: 'Hide'}).click()
    expect(await secret.getByLabel('Current secret').textContent()).not.toContain('old-secret')

    await secret.getByLabel('Old secret valid for (hours)').fill('2')
    await secret.getByRole('button', {name: 'Roll secret'}).click()
    await secret.getByText(/Previous secret still signs until/).waitFor()
    await secret.getByRole('button', {name: 'Reveal'}).click()
    const fresh = (await secret.getByLabel('Current secret').textContent())!
    expect(fresh).not.toBe('old-secret-value')
    expect(fresh.length).toBeGreaterThanOrEqual(20)
    const stored = (await t.api('GET', t.p(`/endpoints/${endpoint.uid}`))).json.data.secrets
    const old = stored.find((s: {value: string}) => s.value === 'old-secret-value')
    expect(Date.parse(old.expires_at) - Date.now()).toBeGreaterThan(7_000_000)

    await page.getByRole('form', {name: 'Test event'}).getByRole('button', {name: 'Send test event'}).click()
    const got = await waitForRequest(t, (r) => r.url === '/signed')
    const header = String(got.headers['x-convoy-signature'])
    const stamp = /t=(\d+)/.exec(header)?.[1]
    const v1 = [...header.matchAll(/v1=([0-9a-f]+)/g)].map((m) => m[1])
    const sign = (key: string) => createHmac('sha256', key).update(`${stamp},`).update(got.body).digest('hex')
    expect(v1).toContain(sign(fresh))
    expect(v1).toContain(sign('old-secret-value'))
    expectClean()
  })

  it('deletes an endpoint after confirmation', async () => {
    const t = await useRelay({deliver: false})
    const endpoint = (await t.api('POST', t.p('/endpoints'), {name: 'doomed', url: `${t.receiver.url}/x`})).json.data
    const {page, expectClean} = await openDashboard(t, `/endpoints/${endpoint.uid}`)
    await page.getByRole('button', {name: 'Delete'}).click()
    await page.getByRole('button', {name: 'Cancel'}).click()
    expect((await t.api('GET', t.p(`/endpoints/${endpoint.uid}`))).status).toBe(200)
    await page.getByRole('button', {name: 'Delete'}).click()
    await page.getByRole('button', {name: 'Yes, delete'}).click()
    await page.waitForURL(/\/endpoints$/)
    await page.getByText('No endpoints yet.').waitFor()
    expect((await t.api('GET', t.p(`/endpoints/${endpoint.uid}`))).status).toBe(404)
    expectClean()
  })
})

describe('dashboard: sources and subscriptions', () => {
  it('creates a source whose ingest URL works, a filtered subscription, and tests the filter', async () => {
    const t = await useRelay()
    await t.api('POST', t.p('/endpoints'), {name: 'shop-app', url: `${t.receiver.url}/shop`})
    const {page, context, expectClean} = await openDashboard(t, '/sources')
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: t.url})

    await page.getByRole('button', {name: 'New source'}).click()
    await page.getByLabel('Name', {exact: true}).fill('shop')
    await page.getByRole('button', {name: 'Create source'}).click()
    const ingest = page.getByLabel('Ingest URL of shop')
    const url = (await ingest.textContent())!
    expect(url).toMatch(new RegExp(`^${t.url}/ingest/[0-9a-z]+$`))
    await page.getByRole('row', {name: /shop/}).getByRole('button', {name: 'Copy'}).click()
    await page.getByRole('status').getByText('Copied').waitFor()
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(url)

    await page.goto(`${t.url}/ui/${t.projectId}/subscriptions`)
    await page.getByRole('button', {name: 'New subscription'}).click()
    const form = page.getByRole('form', {name: 'New subscription'})
    await form.getByLabel('Name', {exact: true}).fill('big orders')
    await form.getByLabel('Source').selectOption({label: 'shop'})
    await form.getByLabel('Body filter (JSON)').fill('{"amount": {"$gte": 100}}')
    await form.getByRole('button', {name: 'Create subscription'}).click()
    const row = page.getByRole('row', {name: /big orders/})
    await row.waitFor()
    expect(await row.textContent()).toContain('{"amount":{"$gte":100}}')
    const [sub] = (await t.api('GET', t.p('/subscriptions'))).json.data.content
    expect(sub).toMatchObject({name: 'big orders', filter_config: {filter: {body: {amount: {$gte: 100}}}}})

    await row.getByRole('button', {name: 'Test filter'}).click()
    const tester = page.getByRole('form', {name: 'Test a filter'})
    expect(JSON.parse(await tester.getByLabel('Body filter to test (JSON)').inputValue())).toEqual({
      amount: {$gte: 100},
    })
    await tester.getByLabel('Sample payload (JSON)').fill('{"amount": 150}')
    await tester.getByRole('button', {name: 'Test filter'}).click()
    await tester
      .getByRole('status')
      .getByText(/^Matches/)
      .waitFor()
    await tester.getByLabel('Sample payload (JSON)').fill('{"amount": 5}')
    await tester.getByRole('button', {name: 'Test filter'}).click()
    await tester
      .getByRole('status')
      .getByText(/^No match/)
      .waitFor()

    // The ingest URL shown stores what is posted to it, and the subscription routes it.
    for (const amount of [5, 150]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({amount}),
      })
      expect(res.status).toBe(200)
    }
    await expect.poll(async () => (await t.api('GET', t.p('/events'))).json.data.content.length).toBe(2)
    const got = await waitForRequest(t, (r) => r.url === '/shop')
    expect(JSON.parse(got.body.toString('utf8'))).toEqual({amount: 150})
    await page.screenshot({path: '/tmp/manage-subscriptions.png', fullPage: true})
    expectClean()
  })
})

describe('dashboard: project settings', () => {
  it('saves settings through the project route; an invalid one shows the server’s error and changes nothing', async () => {
    const t = await useRelay({deliver: false})
    const {page, expectClean} = await openDashboard(t, '/settings', {allow: SERVER_REFUSALS})
    await page.getByLabel('Retry strategy').selectOption('exponential')
    await page.getByLabel('Retry count').fill('3')
    await page.getByLabel('Retry interval (s)').fill('20')
    await page.getByLabel('Signature header').fill('X-Acme-Signature')
    await page.getByRole('button', {name: 'Add version'}).click()
    await page.getByLabel('Hash of version 2').selectOption('SHA512')
    await page.getByLabel('Encoding of version 2').selectOption('base64')
    await page.getByLabel('Failures before the breaker opens').fill('7')
    await page.getByLabel('Retention').fill('14d')
    await page.getByLabel("Validate event payloads against their event type's schema").check()
    await page.getByLabel('Send meta events').check()
    await page.getByLabel('Meta event URL').fill(`${t.receiver.url}/meta`)
    await page.getByLabel('eventdelivery.failed').check()
    await page.getByRole('button', {name: 'Save settings'}).click()
    await page.getByRole('status').getByText('Saved').waitFor()
    const config = await storedConfig(t)
    expect(config).toMatchObject({
      strategy: {type: 'exponential', retry_count: 3, duration: 20},
      signature: {header: 'X-Acme-Signature', versions: [{hash: 'SHA256'}, {hash: 'SHA512', encoding: 'base64'}]},
      circuit_breaker: {consecutive_failure_threshold: 7},
      retention_policy: {policy: '14d'},
      validate_event_schemas: true,
      meta_event: {is_enabled: true, url: `${t.receiver.url}/meta`, event_type: ['eventdelivery.failed']},
    })

    await page.getByLabel('Retry count').fill('1000')
    await page.getByLabel('Rate limit count').fill('5')
    await page.getByRole('button', {name: 'Save settings'}).click()
    expect(await alertText(page)).toMatch(/retry_count/)
    expect(await storedConfig(t)).toEqual(config)

    // After a reload the form shows what is stored.
    await page.reload()
    expect(await page.getByLabel('Retry count').inputValue()).toBe('3')
    expect(await page.getByLabel('Signature header').inputValue()).toBe('X-Acme-Signature')
    await page.screenshot({path: '/tmp/manage-settings.png', fullPage: true})
    expectClean()
  })
})

describe('dashboard: summary', () => {
  it('charts events and deliveries by hour and by day, and counts per endpoint', async () => {
    // No dispatcher: the delivery statuses set in the store below are the ones counted.
    const t = await useRelay({deliver: false})
    const ids: string[] = []
    for (const name of ['alpha', 'beta']) {
      const ep = (await t.api('POST', t.p('/endpoints'), {name, url: `${t.receiver.url}/${name}`})).json.data
      await t.api('POST', t.p('/subscriptions'), {name: `to-${name}`, endpoint_id: ep.uid})
      ids.push(ep.uid)
    }
    for (let i = 0; i < 4; i++) await t.api('POST', t.p('/events/broadcast'), {event_type: 'x', data: {i}})
    const setStatus = t.relay.db.prepare(
      'UPDATE deliveries SET status = ? WHERE endpoint_id = ? AND id IN (SELECT id FROM deliveries WHERE endpoint_id = ? ORDER BY id LIMIT ?)',
    )
    setStatus.run('Success', ids[0], ids[0], 3)
    setStatus.run('Failure', ids[1], ids[1], 1)
    setStatus.run('Success', ids[1], ids[1], 0)
    // alpha: 3 delivered, 1 pending; beta: 1 failed, 3 pending.

    const {page, expectClean} = await openDashboard(t, '/summary')
    const chart = page.getByRole('img', {name: /by hour/})
    await chart.waitFor()
    const bars = (series: string) => barValues(chart, series)
    const hourly = await bars('events')
    expect(hourly).toHaveLength(24)
    expect(hourly.at(-1)).toBe(4)
    expect(hourly.slice(0, -1).every((n) => n === 0)).toBe(true)
    expect((await bars('delivered')).at(-1)).toBe(3)
    expect((await bars('failed')).at(-1)).toBe(1)
    expect((await bars('pending')).at(-1)).toBe(4)
    expect(await chart.locator('rect[data-series="events"] title').last().textContent()).toMatch(/: 4 events in$/)

    const table = page.getByRole('table', {name: 'Deliveries by endpoint'})
    expect(await table.getByRole('row', {name: /alpha/}).locator('td').allTextContents()).toEqual([
      'alpha',
      '3',
      '0',
      '1',
      '0%',
    ])
    expect(await table.getByRole('row', {name: /beta/}).locator('td').allTextContents()).toEqual([
      'beta',
      '0',
      '1',
      '3',
      '100%',
    ])
    await page.screenshot({path: '/tmp/manage-summary.png', fullPage: true})

    await page.getByRole('button', {name: 'Last 7 days'}).click()
    await page.waitForURL(/period=7d/)
    const daily = page.getByRole('img', {name: /by day/})
    await daily.waitFor()
    const days = await barValues(daily, 'events')
    expect(days).toEqual([0, 0, 0, 0, 0, 0, 4])
    expect(await page.getByLabel('Totals').textContent()).toContain('Delivered: 3')
    expectClean()
  })
})

describe('dashboard: meta events and event types', () => {
  it('lists meta events with status and attempts, and resends one', async () => {
    const t = await useRelay()
    await t.api('PUT', t.p(), {
      config: {meta_event: {is_enabled: true, type: 'http', url: `${t.receiver.url}/meta`, event_type: []}},
    })
    const ep = (await t.api('POST', t.p('/endpoints'), {name: 'm', url: `${t.receiver.url}/m`})).json.data
    await t.api('POST', t.p('/subscriptions'), {name: 'all', endpoint_id: ep.uid})
    await t.api('POST', t.p('/events'), {endpoint_id: ep.uid, event_type: 'x', data: {}})
    await waitForRequest(t, (r) => r.url === '/meta')

    const {page, expectClean} = await openDashboard(t, '/meta-events')
    const row = page.getByRole('row', {name: /eventdelivery\.success/})
    await row.waitFor()
    expect(await row.locator('td').nth(1).textContent()).toBe('Success')
    expect(await row.locator('td').nth(2).textContent()).toBe('1')
    await row.getByRole('button', {name: 'Resend'}).click()
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('2')
    const [meta] = (await t.api('GET', t.p('/meta-events'))).json.data.content
    expect(meta.metadata.num_trials).toBe(2)
    expect(t.receiver.requests.filter((r) => r.url === '/meta')).toHaveLength(2)
    expectClean()
  })

  it('lists, creates, edits, deprecates and imports event types and shows a schema', async () => {
    const t = await useRelay({deliver: false})
    const schema = {type: 'object', properties: {id: {type: 'string'}}, required: ['id']}
    await t.api('POST', t.p('/event-types'), {name: 'invoice.paid', category: 'billing', json_schema: schema})
    const {page, expectClean} = await openDashboard(t, '/event-types', {allow: SERVER_REFUSALS})
    const paid = page.getByRole('row', {name: /invoice\.paid/})
    await paid.getByRole('button', {name: 'Schema'}).click()
    expect(JSON.parse((await page.getByLabel('Schema of invoice.paid').textContent())!)).toEqual(schema)

    await page.getByRole('button', {name: 'New event type'}).click()
    const form = page.getByRole('form', {name: 'New event type'})
    await form.getByLabel('Name', {exact: true}).fill('order.created')
    await form.getByLabel('JSON schema').fill('{"type": "nope"}')
    await form.getByRole('button', {name: 'Create event type'}).click()
    expect(await alertText(page)).toMatch(/json_schema/)
    await form.getByLabel('JSON schema').fill('{"type": "object"}')
    await form.getByLabel('Description').fill('an order was placed')
    await form.getByRole('button', {name: 'Create event type'}).click()
    const created = page.getByRole('row', {name: /order\.created/})
    await created.waitFor()

    await created.getByRole('button', {name: 'Edit'}).click()
    await page.getByRole('form', {name: 'Edit event type'}).getByLabel('Category').fill('orders')
    await page.getByRole('button', {name: 'Save event type'}).click()
    await expect.poll(() => created.textContent()).toContain('orders')
    await created.getByRole('button', {name: 'Deprecate'}).click()
    await expect.poll(() => created.getByRole('button', {name: 'Deprecate'}).count()).toBe(0)

    await page.getByRole('button', {name: 'Import OpenAPI'}).click()
    const doc = {
      openapi: '3.1.0',
      info: {title: 'shop', version: '1'},
      webhooks: {
        'refund.issued': {
          post: {
            summary: 'a refund',
            tags: ['billing'],
            requestBody: {content: {'application/json': {schema: {type: 'object'}}}},
          },
        },
      },
    }
    await page.getByLabel('OpenAPI document (JSON, with webhooks)').fill(JSON.stringify(doc))
    await page.getByRole('button', {name: 'Import', exact: true}).click()
    await page.getByRole('status').getByText('Imported 1: refund.issued').waitFor()
    await page.getByRole('button', {name: 'Done'}).click()
    await page.getByRole('row', {name: /refund\.issued/}).waitFor()

    const types = (await t.api('GET', t.p('/event-types'))).json.data
    expect(types.map((x: {name: string}) => x.name).sort()).toEqual(['invoice.paid', 'order.created', 'refund.issued'])
    const order = types.find((x: {name: string}) => x.name === 'order.created')
    expect(order).toMatchObject({category: 'orders', description: 'an order was placed'})
    expect(order.deprecated_at).toBeTruthy()
    expectClean()
  })
})
