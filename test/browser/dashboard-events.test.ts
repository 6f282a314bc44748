import {execFile} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest'

import {startRelay} from '../../src/relay/relay.js'
import {openPage, useBrowser} from '../helpers/browser.js'
import {listenInProcess} from '../helpers/listen-in-process.js'
import {startSink} from '../helpers/delivery.js'
import {startTestRelay, useRelay, type TestRelay} from '../helpers/relay.js'
import {bytesOfHexDump, createSource, ingest, openDashboard, rowIds, sourceEndpoint} from './fixtures-events.js'

const browser = useBrowser()
const run = promisify(execFile)

const HOSTILE_BODY = '{"x":"<img src=x onerror=alert(1)>","y":"</script><script>alert(2)</script>"}'

describe('dashboard events: live list', () => {
  it('a webhook posted to ingest appears in the open list without reload, and its delivery turns the row to Success', async () => {
    const t = await useRelay()
    const source = await createSource(t, 'github')
    await sourceEndpoint(t, source, 'app', `${t.receiver.url}/hook`)
    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, '/events')
    await expect.poll(() => page.getByRole('status', {name: /Live feed/}).textContent()).toBe('Live')
    await page.evaluate('window.__sameDocument = true')

    const id = await ingest(t, source, {type: 'push', body: '{"ref":"main"}', contentType: 'application/json'})
    const row = page.locator(`tr[data-event-id="${id}"]`)
    await row.waitFor()
    expect(await row.getByRole('link').textContent()).toBe('push')
    expect(await row.textContent()).toContain('github')
    await expect.poll(() => row.locator('.badge').textContent(), {timeout: 10_000}).toBe('Success')
    expect(await page.evaluate('window.__sameDocument')).toBe(true)

    // A status goes to the API's status filter (not checked in the browser on the rows it read).
    const box = page.getByLabel('Filter events')
    await box.fill('status:failure')
    const asked = page.waitForRequest((r) => new URL(r.url()).searchParams.get('status') === 'Failure')
    await box.press('Enter')
    await asked
    await expect.poll(() => rowIds(page)).toEqual([])
    await page.getByText('No events match this filter.').waitFor()
    await box.fill('status:success source:git')
    await box.press('Enter')
    await expect.poll(() => rowIds(page)).toEqual([id])

    await row.getByRole('link').click()
    await page.waitForURL(new RegExp(`/events/${id}$`))
    await page.getByRole('heading', {name: 'POST /'}).waitFor()
    expectClean()
  })

  it('says so when the feed drops, polls meanwhile, and is live again on the restarted relay with what came in while down', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'caravan-ui-events-'))
    const key = `test-admin-${randomBytes(8).toString('hex')}`
    const boot = (port: number) => startRelay({port, dataDir, apiKey: key, deliver: false})
    let relay = await boot(0)
    onTestFinished(async () => {
      await relay.stop({graceMs: 100})
      await rm(dataDir, {recursive: true, force: true})
    })
    const port = relay.port
    const asTest = (r: typeof relay) =>
      ({url: r.url, key, projectId: r.defaultProjectId, api: undefined}) as unknown as TestRelay
    // Plain fetches: the relay here is not a TestRelay with a checked api().
    const source = (await (
      await fetch(`${relay.url}/api/v1/projects/${relay.defaultProjectId}/sources`, {
        method: 'POST',
        headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
        body: JSON.stringify({name: 'shop', type: 'http', event_type_location: 'header.X-Event-Type'}),
      })
    ).json()) as {data: {mask_id: string}}
    const post = (base: string, type: string) =>
      fetch(`${base}/ingest/${source.data.mask_id}`, {method: 'POST', headers: {'x-event-type': type}, body: '{}'})

    // The browser sees the relay go away: failed WebSocket handshakes and polls are the point here.
    const {page, expectClean} = await openPage(browser(), {
      allow: [/WebSocket connection/, /ERR_CONNECTION_REFUSED/, /Failed to load resource/],
    })
    await openDashboard(page, asTest(relay), '/events')
    const indicator = page.getByRole('status', {name: /Live feed/})
    await expect.poll(() => indicator.textContent()).toBe('Live')
    await post(relay.url, 'before.drop')
    await page.getByRole('link', {name: 'before.drop'}).waitFor()

    await relay.stop({graceMs: 100})
    await expect.poll(() => indicator.textContent()).toMatch(/Reconnecting|polling/)
    // Meanwhile a webhook arrives (a relay on another port, same store): the page's feed never sees it.
    const other = await boot(0)
    await post(other.url, 'while.down')
    await other.stop({graceMs: 100})
    await expect.poll(() => indicator.textContent(), {timeout: 10_000}).toBe('Feed down: polling')

    relay = await boot(port)
    await page.getByRole('link', {name: 'while.down'}).waitFor({timeout: 10_000})
    await expect.poll(() => indicator.textContent(), {timeout: 10_000}).toBe('Live')
    await post(relay.url, 'after.back')
    await page.getByRole('link', {name: 'after.back'}).waitFor()
    const types = await page.locator('table[aria-label="Events"] tbody a').allTextContents()
    expect(types).toEqual(['after.back', 'while.down', 'before.drop'])
    expectClean()
  })
})

describe('dashboard events: the detail page', () => {
  let t: TestRelay
  beforeAll(async () => {
    t = await startTestRelay({deliver: false})
  })
  afterAll(() => t?.cleanup())

  it('shows a JSON body as a collapsible tree, and its headers', async () => {
    const source = await createSource(t, 'json-src')
    const body = '{"order":{"id":12345678901234567890,"items":[{"sku":"A-1"}]},"note":"hi"}'
    const id = await ingest(t, source, {
      type: 'order.created',
      body,
      contentType: 'application/json',
      path: '/hook?x=1',
    })
    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, `/events/${id}`)
    await page.getByRole('heading', {name: 'POST /hook?x=1'}).waitFor()
    const tree = page.getByLabel('JSON body')
    // The number keeps its digits (not rounded through a JS number).
    expect(await tree.textContent()).toContain('12345678901234567890')
    expect(await tree.textContent()).toContain('"A-1"')
    // Folding the order object hides its keys.
    const order = tree.locator('summary', {hasText: '"order"'})
    await order.click()
    expect(await tree.getByText('"A-1"').isVisible()).toBe(false)
    await order.click()
    expect(await tree.getByText('"A-1"').isVisible()).toBe(true)
    const headers = page.getByRole('table', {name: 'Headers'})
    expect(await headers.getByRole('row', {name: /x-event-type/}).textContent()).toContain('order.created')
    await page.getByRole('button', {name: 'Raw'}).click()
    expect(await page.getByLabel('Raw body').textContent()).toBe(body)
    expectClean()
  })

  it('shows a form body as fields', async () => {
    const source = await createSource(t, 'form-src')
    const body = 'name=Ada+Lovelace&email=ada%40example.com&tags=a&tags=b'
    const id = await ingest(t, source, {body, contentType: 'application/x-www-form-urlencoded'})
    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, `/events/${id}`)
    const fields = page.getByRole('table', {name: 'Form fields'})
    await fields.waitFor()
    const rows = await fields.locator('tbody tr').allTextContents()
    expect(rows).toEqual(['nameAda Lovelace', 'emailada@example.com', 'tagsa', 'tagsb'])
    expectClean()
  })

  it('shows a binary body as a hex dump of exactly its bytes', async () => {
    const source = await createSource(t, 'bin-src')
    const bytes = Buffer.concat([Buffer.from([0, 1, 2, 0xff, 0xfe, 0x80, 0x0a, 0x27]), randomBytes(53)])
    const id = await ingest(t, source, {body: bytes, contentType: 'application/octet-stream'})
    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, `/events/${id}`)
    const dump = page.getByLabel('Hex dump')
    await dump.waitFor()
    expect(bytesOfHexDump((await dump.textContent()) ?? '')).toEqual(bytes)
    expect(await page.getByRole('button', {name: 'Hex'}).getAttribute('aria-pressed')).toBe('true')
    expectClean()
  })

  it('shows a hostile payload and header as literal text: no markup, no script, no dialog', async () => {
    const source = await createSource(t, 'evil-src')
    const id = await ingest(t, source, {
      type: '<img src=x onerror=alert(3)>',
      body: HOSTILE_BODY,
      contentType: 'application/json',
      headers: {'x-evil': '<script>alert(4)</script><b onmouseover=alert(5)>x</b>'},
    })
    const {page, expectClean} = await openPage(browser())
    const dialogs: string[] = []
    page.on('dialog', (d) => {
      dialogs.push(d.message())
      void d.dismiss()
    })
    await openDashboard(page, t, '/events')
    await page.getByRole('link', {name: '<img src=x onerror=alert(3)>'}).click()
    await page.waitForURL(new RegExp(`/events/${id}$`))
    const tree = page.getByLabel('JSON body')
    await tree.waitFor()
    expect(await tree.textContent()).toContain('"<img src=x onerror=alert(1)>"')
    expect(await tree.textContent()).toContain('"</script><script>alert(2)</script>"')
    const evil = page.getByRole('table', {name: 'Headers'}).getByRole('row', {name: /x-evil/})
    expect(await evil.locator('td').textContent()).toBe('<script>alert(4)</script><b onmouseover=alert(5)>x</b>')
    await page.getByRole('button', {name: 'Raw'}).click()
    expect(await page.getByLabel('Raw body').textContent()).toBe(HOSTILE_BODY)
    expect(await page.locator('main img, main script, main b').count()).toBe(0)
    await page.getByRole('button', {name: 'Copy as curl'}).click()
    await page.getByLabel('curl command').waitFor()
    expect(dialogs).toEqual([])
    expectClean()
  })

  it('copies a curl command that sends the same bytes, method and content type again', async () => {
    const sink = await startSink()
    onTestFinished(() => sink.close())
    const source = await createSource(t, 'curl-src')
    const text = `@it's "quoted" $HOME \`id\` \\n tab\there\nünïcode ✓\n\n`
    const binary = Buffer.concat([Buffer.from([0, 0x27, 0x22, 0x24, 0x0a, 0xff]), randomBytes(300)])
    const cases = [
      {body: Buffer.from(text), contentType: 'text/plain; charset=utf-8', path: '/in?a=1&b=%27'},
      {body: binary, contentType: 'application/octet-stream', path: ''},
      {body: Buffer.from(HOSTILE_BODY), contentType: 'application/json', path: '/j'},
    ]
    const {page, context, expectClean} = await openPage(browser())
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {origin: t.url})
    for (const [i, c] of cases.entries()) {
      const id = await ingest(t, source, {body: c.body, contentType: c.contentType, path: c.path})
      await openDashboard(page, t, `/events/${id}`)
      await page.getByRole('button', {name: 'Copy as curl'}).click()
      const shown = await page.getByLabel('curl command').inputValue()
      await expect.poll(() => page.evaluate('navigator.clipboard.readText()')).toBe(shown)
      const original = `'${source.url}${c.path}'`
      expect(shown).toContain(original)
      await run('bash', ['-c', shown.replace(original, `'${sink.url}/sink${i}'`)])
      const got = sink.requests[i]
      expect(got.url).toBe(`/sink${i}`)
      expect(got.method).toBe('POST')
      expect(got.headers['content-type']).toBe(c.contentType)
      expect(got.body.equals(c.body), `case ${i}: body bytes`).toBe(true)
    }
    expectClean()
  })
})

describe('dashboard events: replay, retry, batch retry', () => {
  it('replays to one chosen endpoint, retries and force-resends a delivery, and batch-retries failed deliveries after showing how many', async () => {
    const t = await useRelay()
    const cfg = await t.api('PUT', t.p(), {config: {strategy: {type: 'linear', duration: 1, retry_count: 0}}})
    expect(cfg.status, JSON.stringify(cfg.json)).toBe(202)
    const failing = await startSink(() => ({status: 500, body: 'nope'}))
    onTestFinished(() => failing.close())
    const source = await createSource(t, 'pay')
    const good = await sourceEndpoint(t, source, 'good', `${t.receiver.url}/good`)
    await sourceEndpoint(t, source, 'bad', `${failing.url}/bad`)
    const first = await ingest(t, source, {type: 'pay.failed', body: '{"n":1}', contentType: 'application/json'})
    await ingest(t, source, {type: 'pay.failed', body: '{"n":2}', contentType: 'application/json'})
    await expect.poll(() => failing.requests.length, {timeout: 10_000}).toBe(2)
    await expect.poll(() => t.receiver.requests.length, {timeout: 10_000}).toBe(2)

    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, `/events/${first}`)
    const deliveries = page.getByRole('region', {name: 'Deliveries'})
    await expect
      .poll(() => deliveries.locator('.badge').allTextContents(), {timeout: 10_000})
      .toEqual(expect.arrayContaining(['Success', 'Failure']))

    // Replay to the good endpoint only.
    await page.getByLabel('Replay to').selectOption(good)
    await page.getByRole('button', {name: 'Replay', exact: true}).click()
    await page.getByText('Event replayed to 1 endpoint(s)').waitFor()
    await expect.poll(() => t.receiver.requests.length, {timeout: 10_000}).toBe(3)
    expect(failing.requests.length).toBe(2)
    await expect.poll(() => deliveries.locator('section.delivery').count()).toBe(3)

    // Retry the failed delivery; force-resend a successful one.
    const failed = deliveries.locator('section.delivery', {has: page.locator('.badge', {hasText: 'Failure'})}).first()
    await failed.getByRole('button', {name: 'Retry'}).click()
    await expect.poll(() => failing.requests.length, {timeout: 10_000}).toBe(3)
    await expect.poll(() => failed.locator('details.attempt').count(), {timeout: 10_000}).toBe(2)
    const succeeded = deliveries
      .locator('section.delivery', {has: page.locator('.badge', {hasText: 'Success'})})
      .first()
    await succeeded.getByRole('button', {name: 'Force resend'}).click()
    await page.getByText('1 successful, 0 failed').waitFor()
    await expect.poll(() => t.receiver.requests.length, {timeout: 10_000}).toBe(4)

    // Batch retry from the list, filtered to the type: it counts first and retries that many.
    await openDashboard(page, t, `/events?q=${encodeURIComponent('type:pay.failed')}`)
    await page.getByRole('button', {name: 'Retry failed…'}).click()
    const confirm = page.getByRole('group', {name: 'Confirm batch retry'})
    await confirm.getByText('Retry 2 failed deliveries of type pay.failed?').waitFor()
    expect(failing.requests.length).toBe(3)
    await confirm.getByRole('button', {name: 'Retry 2'}).click()
    await page.getByText('Batch retry: 2 successful, 0 failed').waitFor()
    await expect.poll(() => failing.requests.length, {timeout: 10_000}).toBe(5)
    expectClean()
  })
})

describe('dashboard events: replay to a running listener', () => {
  it('offers the running caravan listen the event went to, and replaying there reaches its app again', async () => {
    const t = await useRelay()
    const app = await startSink()
    onTestFinished(() => app.close())
    const source = await createSource(t, 'dev')
    await listenInProcess(t, {source: 'dev', target: `${app.url}/hooks`, name: 'laptop', skipBacklog: true})
    const body = '{"hello":"listener"}'
    const id = await ingest(t, source, {type: 'dev.ping', body, contentType: 'application/json'})
    await app.waitForRequests(1)

    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, `/events/${id}`)
    const option = page.getByLabel('Replay to').locator('option', {hasText: /listener .*laptop.*running/})
    await option.waitFor({state: 'attached'})
    await page.getByLabel('Replay to').selectOption((await option.getAttribute('value')) ?? '')
    await page.getByRole('button', {name: 'Replay', exact: true}).click()
    await page.getByText('Event replayed to 1 endpoint(s)').waitFor()
    const [, again] = await app.waitForRequests(2)
    expect(again.body.toString()).toBe(body)
    expectClean()
  })
})

describe('dashboard events: filters in the URL', () => {
  it('narrows by the typed filter, keeps it in ?q=, steps back through filters and keeps it on reload', async () => {
    const t = await useRelay({deliver: false})
    const shop = await createSource(t, 'shop')
    const crm = await createSource(t, 'crm')
    const paid = await ingest(t, shop, {type: 'invoice.paid', body: '{"amount":10}'})
    const failed = await ingest(t, shop, {type: 'invoice.failed', body: '{"amount":20,"reason":"card declined"}'})
    const customer = await ingest(t, crm, {type: 'customer.created', body: '{"name":"Ada"}'})
    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, '/events')
    await expect.poll(() => rowIds(page)).toEqual([customer, failed, paid])

    const box = page.getByLabel('Filter events')
    await box.fill('type:invoice.*')
    await box.press('Enter')
    await expect.poll(() => rowIds(page)).toEqual([failed, paid])
    expect(new URL(page.url()).searchParams.get('q')).toBe('type:invoice.*')

    await box.fill('source:cr')
    await box.press('Enter')
    await expect.poll(() => rowIds(page)).toEqual([customer])
    await box.fill('declined')
    await box.press('Enter')
    await expect.poll(() => rowIds(page)).toEqual([failed])
    expect(new URL(page.url()).searchParams.get('q')).toBe('declined')

    await page.goBack()
    await expect.poll(() => rowIds(page)).toEqual([customer])
    expect(await box.inputValue()).toBe('source:cr')
    await page.goBack()
    await expect.poll(() => rowIds(page)).toEqual([failed, paid])
    expect(await box.inputValue()).toBe('type:invoice.*')
    await page.reload()
    await expect.poll(() => rowIds(page)).toEqual([failed, paid])
    expect(await page.getByLabel('Filter events').inputValue()).toBe('type:invoice.*')
    await page.goForward()
    await expect.poll(() => rowIds(page)).toEqual([customer])

    // Typing slowly updates the URL as it goes, in one history entry for the whole edit.
    await box.fill('')
    await box.pressSequentially('paid', {delay: 400})
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('paid')
    await expect.poll(() => rowIds(page)).toEqual([paid])
    await page.goBack()
    await expect.poll(() => rowIds(page)).toEqual([customer])
    expect(await box.inputValue()).toBe('source:cr')
    expectClean()
  })
})

describe('dashboard events: paging', () => {
  it('shows the newest 50 and loads more by the API’s cursor, newest first without repeats', async () => {
    const t = await useRelay({deliver: false})
    const source = await createSource(t, 'bulk')
    for (let i = 0; i < 55; i++)
      await fetch(source.url, {method: 'POST', headers: {'x-event-type': `bulk.${i}`}, body: `{"i":${i}}`})
    const {page, expectClean} = await openPage(browser())
    await openDashboard(page, t, '/events')
    await expect.poll(async () => (await rowIds(page)).length).toBe(50)
    const types = () => page.locator('table[aria-label="Events"] tbody a').allTextContents()
    expect((await types())[0]).toBe('bulk.54')
    await page.getByRole('button', {name: 'Load more'}).click()
    await expect.poll(async () => (await rowIds(page)).length).toBe(55)
    expect(await types()).toEqual(Array.from({length: 55}, (_, i) => `bulk.${54 - i}`))
    expect(await page.getByRole('button', {name: 'Load more'}).count()).toBe(0)
    expectClean()
  })
})
