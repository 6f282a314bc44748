import {describe, expect, it} from 'vitest'

import {rawRequest} from '../helpers/raw-http.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'
import {snapshotDiff, storeSnapshot} from '../helpers/store-snapshot.js'

/**
 * Issue 10, item 6: validate first, write after. Every rejected request (4xx) of a broad set
 * over every API route leaves the store's logical content identical.
 */

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

interface Fixture {
  endpoint: string
  subscription: string
  source: string
  disabledMask: string
  tinyMask: string
  event: string
  delivery: string
  otherProject: string
  otherKey: string
}

async function seed(t: TestRelay): Promise<Fixture> {
  const {api, p, receiver} = t
  const endpoint = (await api('POST', p('/endpoints'), {name: 'e', url: receiver.url, owner_id: 'o'})).json.data.uid
  const source = (await api('POST', p('/sources'), {name: 's', type: 'http', verifier: {type: 'noop'}})).json.data
  const disabled = (await api('POST', p('/sources'), {name: 'off', type: 'http', is_disabled: true})).json.data
  const tiny = (await api('POST', p('/sources'), {name: 'tiny', type: 'http', body_limit: 8})).json.data
  const subscription = (
    await api('POST', p('/subscriptions'), {name: 'sub', endpoint_id: endpoint, source_id: source.uid})
  ).json.data.uid
  const event = (await api('POST', p('/events'), {endpoint_id: endpoint, event_type: 'a.b', data: {n: 1}})).json.data
    .uid
  const delivery = (await api('GET', p(`/eventdeliveries?eventId=${event}`))).json.data.content[0].uid
  const other = (await api('POST', '/api/v1/projects', {name: 'other', type: 'outgoing'})).json.data
  await api('POST', p('/listeners'), {name: 'l', target: receiver.url})
  return {
    endpoint,
    subscription,
    source: source.uid,
    disabledMask: disabled.mask_id,
    tinyMask: tiny.mask_id,
    event,
    delivery,
    otherProject: other.project.uid,
    otherKey: other.api_key.key,
  }
}

type Bad = [method: string, path: string, body?: unknown, opts?: {key?: string | null; raw?: string}]

function badRequests(t: TestRelay, f: Fixture): Bad[] {
  const p = t.p
  const good = t.receiver.url
  const deep = '['.repeat(500) + ']'.repeat(500)
  const bodies: Bad[] = []
  // Bodies that are no object at all, on every route that reads one.
  const writes: [string, string][] = [
    ['POST', '/api/v1/projects'],
    ['PUT', p()],
    ['POST', p('/endpoints')],
    ['PUT', p(`/endpoints/${f.endpoint}`)],
    ['PUT', p(`/endpoints/${f.endpoint}/expire_secret`)],
    ['POST', p('/subscriptions')],
    ['PUT', p(`/subscriptions/${f.subscription}`)],
    ['POST', p('/sources')],
    ['PUT', p(`/sources/${f.source}`)],
    ['POST', p('/events')],
    ['POST', p('/events/fanout')],
    ['POST', p('/events/broadcast')],
    ['POST', p('/eventdeliveries/forceresend')],
    ['POST', p('/listeners')],
  ]
  for (const [method, path] of writes) {
    for (const raw of ['not json', '[1,2]', 'null', '"text"', '42', '{"a":', deep])
      bodies.push([method, path, undefined, {raw}])
  }
  return [
    ...bodies,
    // Auth
    ['GET', p('/endpoints'), undefined, {key: null}],
    ['POST', p('/endpoints'), {name: 'x', url: good}, {key: null}],
    ['POST', p('/endpoints'), {name: 'x', url: good}, {key: 'wrong'}],
    ['POST', p('/endpoints'), {name: 'x', url: good}, {key: f.otherKey}],
    ['DELETE', p(`/endpoints/${f.endpoint}`), undefined, {key: f.otherKey}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'outgoing'}, {key: f.otherKey}],
    ['DELETE', p(), undefined, {key: f.otherKey}],
    ['DELETE', `/api/v1/projects/${f.otherProject}`, undefined, {key: f.otherKey}],
    // Projects
    ['POST', '/api/v1/projects', {}],
    ['POST', '/api/v1/projects', {name: 'x'}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'bogus'}],
    ['POST', '/api/v1/projects', {name: 5, type: 'outgoing'}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'outgoing', config: 5}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'outgoing', config: {strategy: {type: 'bogus'}}}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'outgoing', config: {strategy: {duration: 0}}}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'outgoing', config: {signature: {versions: []}}}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'outgoing', config: {signature: {versions: [{hash: 'MD5'}]}}}],
    ['POST', '/api/v1/projects', {name: 'x', type: 'outgoing', logo_url: 5}],
    ['POST', '/api/v1/projects', {name: 'x'.repeat(201), type: 'outgoing'}],
    ['PUT', p(), {name: 5}],
    ['PUT', p(), {config: {strategy: {retry_count: -1}}}],
    ['PUT', p(), {config: {ratelimit: {duration: 0}}}],
    ['PUT', p(), {config: {disable_endpoint: 'yes'}}],
    ['PUT', `/api/v1/projects/${UNKNOWN}`, {name: 'x'}],
    ['DELETE', `/api/v1/projects/${UNKNOWN}`],
    // Endpoints
    ['POST', p('/endpoints'), {}],
    ['POST', p('/endpoints'), {name: 'x'}],
    ['POST', p('/endpoints'), {name: 'x', url: 'ftp://x'}],
    ['POST', p('/endpoints'), {name: 'x', url: 'not a url'}],
    ['POST', p('/endpoints'), {name: 'x', url: good, http_timeout: 0}],
    ['POST', p('/endpoints'), {name: 'x', url: good, rate_limit: -1}],
    ['POST', p('/endpoints'), {name: 'x', url: good, authentication: {type: 'bogus'}}],
    ['POST', p('/endpoints'), {name: 'x', url: good, authentication: {type: 'api_key'}}],
    ['POST', p('/endpoints'), {name: 'x', url: good, secret: 5}],
    ['POST', p('/endpoints'), {name: 'x', url: good, owner_id: 5}],
    ['POST', p('/endpoints'), {name: 'x', url: good, slack_webhook_url: 'nope'}],
    ['POST', p('/endpoints'), {name: 'x', url: good, advanced_signatures: 'yes'}],
    ['PUT', p(`/endpoints/${f.endpoint}`), {url: 'bad'}],
    ['PUT', p(`/endpoints/${f.endpoint}`), {http_timeout: 'x'}],
    ['PUT', p(`/endpoints/${f.endpoint}`), {secret: 5}],
    ['PUT', p(`/endpoints/${f.endpoint}`), {name: 'ok', url: 'bad'}],
    ['PUT', p(`/endpoints/${UNKNOWN}`), {name: 'x'}],
    ['DELETE', p(`/endpoints/${UNKNOWN}`)],
    ['PUT', p(`/endpoints/${UNKNOWN}/pause`)],
    ['POST', p(`/endpoints/${UNKNOWN}/activate`)],
    ['PUT', p(`/endpoints/${f.endpoint}/expire_secret`), {expiration: -1}],
    ['PUT', p(`/endpoints/${f.endpoint}/expire_secret`), {expiration: 'x'}],
    ['PUT', p(`/endpoints/${f.endpoint}/expire_secret`), {secret: 5}],
    ['PUT', p(`/endpoints/${UNKNOWN}/expire_secret`), {}],
    ['GET', p('/endpoints?perPage=-1')],
    // Subscriptions
    ['POST', p('/subscriptions'), {}],
    ['POST', p('/subscriptions'), {name: 's'}],
    ['POST', p('/subscriptions'), {name: 's', endpoint_id: UNKNOWN}],
    ['POST', p('/subscriptions'), {name: 's', endpoint_id: f.endpoint, source_id: UNKNOWN}],
    ['POST', p('/subscriptions'), {name: 's', endpoint_id: f.endpoint, filter_config: 5}],
    ['POST', p('/subscriptions'), {name: 's', endpoint_id: f.endpoint, filter_config: {event_types: [5]}}],
    ['POST', p('/subscriptions'), {name: 's', endpoint_id: f.endpoint, filter_config: {filter: {body: {$bogus: 1}}}}],
    ['POST', p('/subscriptions'), {name: 's', endpoint_id: f.endpoint, filter_config: {filter: {headers: 5}}}],
    ['PUT', p(`/subscriptions/${f.subscription}`), {endpoint_id: UNKNOWN}],
    ['PUT', p(`/subscriptions/${f.subscription}`), {source_id: UNKNOWN}],
    ['PUT', p(`/subscriptions/${f.subscription}`), {filter_config: 5}],
    ['PUT', p(`/subscriptions/${UNKNOWN}`), {name: 'x'}],
    ['DELETE', p(`/subscriptions/${UNKNOWN}`)],
    // Sources
    ['POST', p('/sources'), {}],
    ['POST', p('/sources'), {name: 's2', verifier: {type: 'bogus'}}],
    ['POST', p('/sources'), {name: 's2', verifier: {type: 'hmac'}}],
    ['POST', p('/sources'), {name: 's2', verifier: {type: 'hmac', hmac: {header: 'x'}}}],
    ['POST', p('/sources'), {name: 's2', verifier: {type: 'basic_auth', basic_auth: {username: 'u'}}}],
    ['POST', p('/sources'), {name: 's2', provider: 'bogus'}],
    ['POST', p('/sources'), {name: 's2', provider: 'github'}],
    ['POST', p('/sources'), {name: 's2', body_limit: 0}],
    ['POST', p('/sources'), {name: 's2', type: 'ftp'}],
    ['POST', p('/sources'), {name: 's2', idempotency_keys: [5]}],
    ['POST', p('/sources'), {name: 's2', idempotency_keys: ['nowhere.x']}],
    ['POST', p('/sources'), {name: 's2', event_type_location: 'nowhere.x'}],
    ['POST', p('/sources'), {name: 's2', custom_response: 5}],
    ['POST', p('/sources'), {name: 's2', forward_headers: 'x'}],
    ['PUT', p(`/sources/${f.source}`), {verifier: {type: 'bogus'}}],
    ['PUT', p(`/sources/${f.source}`), {body_limit: -1}],
    ['PUT', p(`/sources/${f.source}`), {name: 'renamed', is_disabled: 'no'}],
    ['PUT', p(`/sources/${UNKNOWN}`), {name: 'x'}],
    ['DELETE', p(`/sources/${UNKNOWN}`)],
    // Events
    ['POST', p('/events'), {}],
    ['POST', p('/events'), {endpoint_id: f.endpoint, event_type: 'x'}],
    ['POST', p('/events'), {endpoint_id: UNKNOWN, event_type: 'x', data: {}}],
    ['POST', p('/events'), {endpoint_id: f.endpoint, event_type: 5, data: {}}],
    ['POST', p('/events'), {endpoint_id: f.endpoint, data: {}}],
    ['POST', p('/events'), {endpoint_id: f.endpoint, event_type: 'x', data: {}, custom_headers: {'bad name': 'x'}}],
    ['POST', p('/events'), {endpoint_id: f.endpoint, event_type: 'x', data: {}, custom_headers: {x: 5}}],
    ['POST', p('/events'), {endpoint_id: f.endpoint, event_type: 'x', data: {}, custom_headers: {Authorization: 'x'}}],
    ['POST', p('/events'), {endpoint_id: f.endpoint, event_type: 'x', data: {}, idempotency_key: 5}],
    ['POST', p('/events/fanout'), {event_type: 'x', data: {}}],
    ['POST', p('/events/fanout'), {owner_id: 'o', event_type: 'x'}],
    ['POST', p('/events/broadcast'), {data: {}}],
    ['GET', p('/events?perPage=-1')],
    ['GET', p('/events?sort=sideways')],
    ['GET', p('/events?direction=up')],
    ['GET', p('/events?startDate=yesterday')],
    ['GET', p('/events?source=nope')],
    ['GET', p(`/events/${UNKNOWN}`)],
    ['PUT', p(`/events/${UNKNOWN}/replay`)],
    ['POST', p(`/events/${UNKNOWN}/replays`), {}],
    ['POST', p('/events/batchreplay?startDate=yesterday')],
    ['POST', p('/events/batchreplay?endDate=not-a-date')],
    // Deliveries
    ['PUT', p(`/eventdeliveries/${UNKNOWN}/resend`)],
    ['POST', p('/eventdeliveries/batchretry?startDate=yesterday')],
    ['POST', p('/eventdeliveries/forceresend'), {}],
    ['POST', p('/eventdeliveries/forceresend'), {ids: 5}],
    ['POST', p('/eventdeliveries/forceresend'), {ids: []}],
    ['POST', p('/eventdeliveries/forceresend'), {ids: [5]}],
    ['GET', p('/eventdeliveries?perPage=0')],
    ['GET', p(`/eventdeliveries/${UNKNOWN}`)],
    ['GET', p(`/eventdeliveries/${UNKNOWN}/deliveryattempts`)],
    ['GET', p(`/eventdeliveries/${f.delivery}/deliveryattempts/${UNKNOWN}`)],
    // Listeners
    ['POST', p('/listeners'), {}],
    ['POST', p('/listeners'), {name: 'l2'}],
    ['POST', p('/listeners'), {name: 'l2', target: 'ftp://x'}],
    ['POST', p('/listeners'), {name: 'l2', target: good, event_types: [5]}],
    ['POST', p('/listeners'), {name: 'l2', target: good, event_types: ['a b']}],
    ['POST', p('/listeners'), {name: 'l2', target: good, source: 5}],
    ['POST', p('/listeners'), {name: 'x'.repeat(301), target: good}],
    // Routing
    ['PATCH', p('/endpoints')],
    ['POST', p(`/endpoints/${f.endpoint}`)],
    ['GET', '/api/v1/nothing'],
    ['GET', '/api/v2/projects'],
    ['DELETE', p('/endpoints/..')],
    ['DELETE', p('/sources/%2e%2e')],
    ['PUT', p('/endpoints/..'), {name: 'renamed'}],
    // Ingest
    ['POST', '/ingest/nope', {a: 1}],
    ['POST', `/ingest/${f.disabledMask}`, {a: 1}],
    ['POST', `/ingest/${f.tinyMask}`, {a: 'more than eight bytes'}],
  ]
}

describe('rejected requests never change the store (issue 10, item 6)', () => {
  it('leaves every table identical around each rejected request over all routes', {timeout: 60_000}, async () => {
    const t = await useRelay({deliver: false})
    const f = await seed(t)
    const failures: string[] = []
    let checked = 0
    for (const [method, path, body, opts = {}] of badRequests(t, f)) {
      const headers: Record<string, string> = {'content-type': 'application/json'}
      const key = opts.key === undefined ? t.key : opts.key
      if (key !== null) headers.authorization = `Bearer ${key}`
      const payload = opts.raw ?? (body === undefined ? undefined : JSON.stringify(body))
      const before = storeSnapshot(t.relay.db)
      const res = await rawRequest(t.url, method, path, {headers, body: payload})
      const after = storeSnapshot(t.relay.db)
      const what = `${method} ${path} ${payload?.slice(0, 80) ?? ''}`
      if (res.status < 400 || res.status >= 500)
        failures.push(`${what}: answered ${res.status} ${res.text.slice(0, 200)}`)
      else if (before !== after)
        failures.push(`${what}: ${res.status} but the store changed: ${snapshotDiff(before, after)}`)
      else checked++
    }
    expect(failures).toEqual([])
    expect(checked).toBeGreaterThan(200)
  })
})
