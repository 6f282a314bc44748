// Shared set-up for the dashboard's events tests: sources to ingest into, webhooks sent
// over real HTTP, signing in, and reading what the page shows.
import type {Page} from 'playwright-core'
import {expect} from 'vitest'

import type {TestRelay} from '../helpers/relay.js'

export interface TestSource {
  uid: string
  url: string
}

/** An HTTP source whose event type is the `X-Event-Type` header. */
export async function createSource(t: TestRelay, name: string): Promise<TestSource> {
  const res = await t.api('POST', t.p('/sources'), {
    name,
    type: 'http',
    event_type_location: 'header.X-Event-Type',
  })
  expect(res.status, JSON.stringify(res.json)).toBe(201)
  return {uid: res.json.data.uid, url: res.json.data.url}
}

/** POST a webhook to an ingest URL as a provider would; the event id the relay stored. */
export async function ingest(
  t: TestRelay,
  source: TestSource,
  opts: {
    type?: string
    body: string | Uint8Array
    contentType?: string
    headers?: Record<string, string>
    path?: string
  },
): Promise<string> {
  const headers: Record<string, string> = {...opts.headers}
  if (opts.type !== undefined) headers['x-event-type'] = opts.type
  if (opts.contentType) headers['content-type'] = opts.contentType
  const res = await fetch(source.url + (opts.path ?? ''), {method: 'POST', headers, body: opts.body})
  expect(res.status, await res.clone().text()).toBeLessThan(300)
  const list = await t.api('GET', t.p(`/events?perPage=1&sourceId=${source.uid}`))
  return list.json.data.content[0].uid
}

/** Open a dashboard path signed in with the relay's admin key. */
export async function openDashboard(page: Page, t: TestRelay, path: string): Promise<void> {
  await page.goto(`${t.url}/ui/${t.projectId}${path}#key=${encodeURIComponent(t.key)}`)
}

/** The event ids of the list's rows, top to bottom. */
export async function rowIds(page: Page): Promise<string[]> {
  const rows = await page.locator('table[aria-label="Events"] tbody tr').all()
  return Promise.all(rows.map(async (r) => (await r.getAttribute('data-event-id')) ?? ''))
}

/** The bytes a hex dump shows (its middle column), to compare with what was sent. */
export function bytesOfHexDump(dump: string): Buffer {
  const hex = dump
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(10, 10 + 47).trim())
    .join(' ')
  return Buffer.from(hex.split(/\s+/).filter(Boolean).join(''), 'hex')
}

/** An endpoint at `url` subscribed to everything that comes in on `source`; its id. */
export async function sourceEndpoint(t: TestRelay, source: TestSource, name: string, url: string): Promise<string> {
  const endpoint = await t.api('POST', t.p('/endpoints'), {name, url})
  expect(endpoint.status, JSON.stringify(endpoint.json)).toBe(201)
  const sub = await t.api('POST', t.p('/subscriptions'), {
    name: `sub-${name}`,
    endpoint_id: endpoint.json.data.uid,
    source_id: source.uid,
    filter_config: {event_types: ['*'], filter: {body: {}, headers: {}}},
  })
  expect(sub.status, JSON.stringify(sub.json)).toBe(201)
  return endpoint.json.data.uid
}
