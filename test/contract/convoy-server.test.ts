import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  allOperations,
  checkRequest,
  type FakeConvoy,
  generateResponse,
  startFakeConvoy,
} from '../helpers/convoy-server.js'
import {validateResponse} from '../helpers/openapi.js'

// The fake Convoy is only worth something if its checks can fail and its answers are what
// the spec says: these pin it down before the CLI is run against it.

const P = '/api/v1/projects/01H0JA5MEES38RRK3HTEJC647K'
const HEADERS = {
  authorization: 'Bearer CO.test.key',
  'x-convoy-version': '2024-04-01',
  'content-type': 'application/json',
}

const check = (method: string, url: string, body?: unknown, headers: Record<string, string> = HEADERS) =>
  checkRequest({method, url, headers, body: body === undefined ? '' : JSON.stringify(body)})

describe('the fake Convoy answers', () => {
  it.each(['value', 'null'] as const)(
    'every one of the spec operations with a valid success answer (nullables: %s)',
    (nullables) => {
      const ops = allOperations()
      expect(ops).toHaveLength(68)
      for (const {method, template} of ops) {
        const params = Object.fromEntries(
          [...template.matchAll(/\{([^}]+)\}/g)].map((m) => [m[1], `01H${m[1].toUpperCase().padEnd(23, 'X')}`]),
        )
        const answer = generateResponse(method, template, {params, nullables})
        expect(validateResponse(method, template, answer.status, answer.body), `${method} ${template}`).toEqual([])
        expect(answer.body.status).toBe(true)
      }
    },
  )

  it('deterministically, echoing the ids of the request path', () => {
    const params = {projectID: 'P1', endpointID: 'E1'}
    const a = generateResponse('GET', '/v1/projects/{projectID}/endpoints/{endpointID}', {params})
    expect(generateResponse('GET', '/v1/projects/{projectID}/endpoints/{endpointID}', {params})).toEqual(a)
    expect(a).toMatchObject({
      status: 200,
      body: {data: {uid: 'E1', project_id: 'P1', status: 'active', deleted_at: null}},
    })
    expect(
      generateResponse('PUT', '/v1/projects/{projectID}/endpoints/{endpointID}/pause', {params}).body.data,
    ).toMatchObject({uid: 'E1'})
    expect(generateResponse('GET', '/v1/projects/{projectID}', {params}).body.data).toMatchObject({uid: 'P1'})
  })

  it('like Convoy where its handlers and the spec disagree: no event on create, fan-out or broadcast', () => {
    const params = {projectID: 'P1'}
    expect(generateResponse('POST', '/v1/projects/{projectID}/events', {params})).toMatchObject({
      status: 201,
      body: {data: null},
    })
    expect(generateResponse('POST', '/v1/projects/{projectID}/events/fanout', {params})).toMatchObject({
      status: 201,
      body: {data: null},
    })
    const broadcast = generateResponse('POST', '/v1/projects/{projectID}/events/broadcast', {params})
    expect(broadcast.status).toBe(201)
    expect(broadcast.body).not.toHaveProperty('data')
  })

  it('lists in two pages chained by next_page_cursor', () => {
    const params = {projectID: 'P1'}
    const first = generateResponse('GET', '/v1/projects/{projectID}/events', {
      params,
      query: new URLSearchParams({perPage: '5'}),
    }).body.data as any // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(first.content).toHaveLength(1)
    expect(first.pagination).toMatchObject({per_page: 5, has_next_page: true, has_prev_page: false})
    const second = generateResponse('GET', '/v1/projects/{projectID}/events', {
      params,
      query: new URLSearchParams({next_page_cursor: first.pagination.next_page_cursor}),
    }).body.data as any // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(second.pagination).toMatchObject({has_next_page: false, has_prev_page: true, next_page_cursor: ''})
    expect(second.content[0].uid).not.toBe(first.content[0].uid)
  })
})

describe('the fake Convoy reports', () => {
  it('nothing for a request Convoy accepts', () => {
    expect(
      check(
        'GET',
        `${P}/eventdeliveries?perPage=20&status=Failure&status=Retry&startDate=2026-11-01T00:00:00&endDate=2026-11-02T00:00:00`,
      ).problems,
    ).toEqual([])
    expect(check('POST', `${P}/endpoints`, {name: 'a', url: 'https://x.example'}).problems).toEqual([])
    expect(check('PUT', `${P}/endpoints/01H/pause`).problems).toEqual([])
  })

  it('unknown routes and methods, with 404', () => {
    expect(check('POST', `${P}/listeners`, {})).toMatchObject({
      status: 404,
      problems: [expect.stringMatching(/no Convoy route POST/)],
    })
    expect(check('PATCH', `${P}/endpoints/01H`)).toMatchObject({
      status: 404,
      problems: [expect.stringMatching(/has no PATCH/)],
    })
    expect(check('GET', '/v1/projects/x')).toMatchObject({
      status: 404,
      problems: [expect.stringMatching(/outside the API base/)],
    })
  })

  it('a missing or non-Convoy API key and a missing X-Convoy-Version, with 401', () => {
    expect(check('GET', `${P}/endpoints`, undefined, {'x-convoy-version': '2024-04-01'})).toMatchObject({
      status: 401,
      problems: [expect.stringMatching(/Authorization/)],
    })
    expect(
      check('GET', `${P}/endpoints`, undefined, {authorization: 'Bearer sk_live_x', 'x-convoy-version': '2024-04-01'})
        .problems,
    ).toEqual([expect.stringMatching(/Bearer CO/)])
    expect(check('GET', `${P}/endpoints`, undefined, {authorization: 'Bearer CO.x'}).problems).toEqual([
      expect.stringMatching(/X-Convoy-Version/),
    ])
  })

  it('unknown, mistyped, repeated, off-enum and missing required query parameters', () => {
    expect(check('GET', `${P}/events?event_type=a&source=b`).problems).toEqual([
      'unknown query parameter event_type (Convoy ignores it)',
      'unknown query parameter source (Convoy ignores it)',
    ])
    expect(check('GET', `${P}/events?perPage=lots&direction=up&sort=DESC&sort=ASC`).problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/perPage must be an integer/),
        expect.stringMatching(/direction must be one of next, prev/),
        expect.stringMatching(/sort is repeated/),
      ]),
    )
    expect(check('GET', '/api/v1/projects').problems).toEqual(['query parameter orgID is required'])
  })

  it("dates outside Convoy's 2006-01-02T15:04:05 layout, and reversed windows", () => {
    expect(check('GET', `${P}/events?startDate=2026-11-01`).problems).toEqual([
      expect.stringMatching(/startDate "2026-11-01" is not in Convoy's format/),
    ])
    expect(check('GET', `${P}/events?startDate=2026-11-01T00:00:00.000Z`).problems).toHaveLength(1)
    expect(check('GET', `${P}/events?startDate=2026-11-02T00:00:00&endDate=2026-11-01T00:00:00`).problems).toEqual([
      'startDate is after endDate',
    ])
  })

  it('bodies that break the schema, bodies where none is taken, and fields Convoy drops', () => {
    expect(check('POST', `${P}/endpoints`, {name: 1, url: 'https://x'}).problems).toEqual([
      expect.stringMatching(/^body \/name must be string/),
    ])
    expect(check('PUT', `${P}/events/01H/replay`, {}).problems).toEqual([
      expect.stringMatching(/takes no request body/),
    ])
    expect(
      check('POST', `${P}/sources`, {
        name: 's',
        type: 'http',
        provider: 'stripe',
        verifier: {type: 'hmac', hmac: {secret: 'x'}},
      }).problems,
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/\/provider must be equal to one of the allowed values/),
        expect.stringMatching(/must have required property 'header'/),
      ]),
    )
    const dropped = check('POST', `${P}/sources`, {
      name: 's',
      type: 'http',
      body_limit: 5,
      verifier: {type: 'noop', extra: 1},
    })
    expect(dropped.problems).toEqual([])
    expect(dropped.ignored).toEqual(['/body_limit', '/verifier/extra'])
  })

  it("what Convoy's validators reject beyond the spec", () => {
    expect(check('PUT', `${P}/endpoints/01H`, {rate_limit: 5}).problems).toEqual([
      expect.stringMatching(/^url is required .*UpdateEndpoint/),
      expect.stringMatching(/^name is required .*UpdateEndpoint/),
    ])
    expect(check('PUT', '/api/v1/projects/01H', {config: {strategy: {retry_count: 2}}}).problems).toEqual([
      expect.stringMatching(/^name is required/),
      expect.stringMatching(/config without config.signature/),
    ])
    expect(check('POST', `${P}/events`, {event_type: 'a', data: {}}).problems).toEqual([
      expect.stringMatching(/endpoint_id is required/),
    ])
    expect(
      check('POST', `${P}/sources`, {name: 's', type: 'http', idempotency_keys: ['header.X-Id']}).problems,
    ).toEqual([expect.stringMatching(/not a Convoy location/)])
  })
})

describe('the fake Convoy over HTTP', () => {
  let convoy: FakeConvoy
  beforeAll(async () => {
    convoy = await startFakeConvoy()
  })
  afterAll(() => convoy?.close())

  it('records each request with its operation, and answers probes apart', async () => {
    const ok = await fetch(`${convoy.url}${P}/endpoints/01HABC`, {headers: HEADERS})
    expect(ok.status).toBe(200)
    expect(await ok.json()).toMatchObject({status: true, data: {uid: '01HABC'}})
    const bad = await fetch(`${convoy.url}${P}/listeners`, {method: 'POST', headers: HEADERS, body: '{}'})
    expect(bad.status).toBe(404)
    expect(await bad.json()).toEqual({status: false, message: expect.stringMatching(/no Convoy route/), data: null})
    expect((await fetch(`${convoy.url}/health`)).status).toBe(200)
    expect((await fetch(`${convoy.url}/healthz`)).status).toBe(404)
    expect(convoy.requests.map((r) => [r.operation, r.status])).toEqual([
      ['GET /v1/projects/{projectID}/endpoints/{endpointID}', 200],
      [null, 404],
    ])
    expect(convoy.violations()).toEqual([expect.stringMatching(/^POST .*\/listeners: no Convoy route/)])
    expect(convoy.probes).toEqual(['GET /health', 'GET /healthz'])
  })
})
