import {describe, expect, it} from 'vitest'

import {expectCompleteWalk, walkPages} from '../helpers/paging.js'
import {qs, useRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'

describe('endpoints', () => {
  it('creates (201) with defaults, gets, updates (202) and deletes an endpoint', async () => {
    const {api, p, projectId, receiver} = await useRelay()
    const created = await api('POST', p('/endpoints'), {
      name: 'orders',
      url: `${receiver.url}/hooks`,
      description: 'the orders app',
    })
    expect(created.status).toBe(201)
    expect(created.json.message).toBe('Endpoint created successfully')
    const ep = created.json.data
    expect(ep).toMatchObject({
      project_id: projectId,
      name: 'orders',
      url: `${receiver.url}/hooks`,
      description: 'the orders app',
      status: 'active',
      http_timeout: 30,
      content_type: 'application/json',
      advanced_signatures: false,
      authentication: null,
    })
    expect(ep.uid).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    // A secret is generated when none is given.
    expect(ep.secrets).toHaveLength(1)
    expect(ep.secrets[0].value.length).toBeGreaterThanOrEqual(20)

    const got = await api('GET', p(`/endpoints/${ep.uid}`))
    expect(got.status).toBe(200)
    expect(got.json.data).toEqual(ep)

    const updated = await api('PUT', p(`/endpoints/${ep.uid}`), {
      name: 'orders-v2',
      http_timeout: 10,
      owner_id: 'tenant-1',
      authentication: {type: 'api_key', api_key: {header_name: 'X-Api-Key', header_value: 'k'}},
    })
    expect(updated.status).toBe(202)
    expect(updated.json.message).toBe('Endpoint updated successfully')
    expect(updated.json.data).toMatchObject({
      uid: ep.uid,
      name: 'orders-v2',
      url: ep.url,
      description: 'the orders app',
      http_timeout: 10,
      owner_id: 'tenant-1',
      authentication: {type: 'api_key', api_key: {header_name: 'X-Api-Key', header_value: 'k'}},
    })
    expect(updated.json.data.secrets).toEqual(ep.secrets)
    expect((await api('GET', p(`/endpoints/${ep.uid}`))).json.data).toEqual(updated.json.data)

    const deleted = await api('DELETE', p(`/endpoints/${ep.uid}`))
    expect(deleted.status).toBe(200)
    expect(deleted.json).toEqual({status: true, message: 'Endpoint deleted successfully'})
    expect((await api('GET', p(`/endpoints/${ep.uid}`))).status).toBe(404)
    expect((await api('GET', p('/endpoints'))).json.data.content).toEqual([])
    expect((await api('DELETE', p(`/endpoints/${ep.uid}`))).status).toBe(404)
  })

  it('keeps a given secret and replaces it on update', async () => {
    const {api, p, receiver} = await useRelay()
    const ep = (await api('POST', p('/endpoints'), {name: 'a', url: receiver.url, secret: 'first-secret'})).json.data
    expect(ep.secrets.map((s: {value: string}) => s.value)).toEqual(['first-secret'])
    const updated = (await api('PUT', p(`/endpoints/${ep.uid}`), {secret: 'second-secret'})).json.data
    expect(updated.secrets.map((s: {value: string}) => s.value)).toEqual(['second-secret'])
  })

  it('pauses, unpauses and activates an endpoint (202)', async () => {
    const {api, p, receiver} = await useRelay()
    const ep = (await api('POST', p('/endpoints'), {name: 'a', url: receiver.url})).json.data

    const paused = await api('PUT', p(`/endpoints/${ep.uid}/pause`))
    expect(paused.status).toBe(202)
    expect(paused.json.data.status).toBe('paused')
    // Convoy's pause toggles.
    const unpaused = await api('PUT', p(`/endpoints/${ep.uid}/pause`))
    expect(unpaused.status).toBe(202)
    expect(unpaused.json.data.status).toBe('active')

    const disabled = await api('PUT', p(`/endpoints/${ep.uid}`), {is_disabled: true})
    expect(disabled.json.data.status).toBe('inactive')
    const activated = await api('POST', p(`/endpoints/${ep.uid}/activate`))
    expect(activated.status).toBe(202)
    expect(activated.json.data.status).toBe('active')
    expect((await api('GET', p(`/endpoints/${ep.uid}`))).json.data.status).toBe('active')

    expect((await api('PUT', p(`/endpoints/${UNKNOWN}/pause`))).status).toBe(404)
    expect((await api('POST', p(`/endpoints/${UNKNOWN}/activate`))).status).toBe(404)
  })

  it('rejects bad input with 400 naming the field, and stores nothing', async () => {
    const {api, p, receiver} = await useRelay()
    const cases: [unknown, RegExp][] = [
      [{url: receiver.url}, /^name is required/],
      [{name: '', url: receiver.url}, /^name is required/],
      [{name: 'a'}, /^url is required/],
      [{name: 'a', url: 'not a url'}, /^url is not a valid URL/],
      [{name: 'a', url: 'ftp://example.com/x'}, /^url must be an http or https URL/],
      [{name: 'a', url: receiver.url, http_timeout: 0}, /^http_timeout must be at least 1/],
      [{name: 'a', url: receiver.url, http_timeout: 1.5}, /^http_timeout must be an integer/],
      [{name: 'a', url: receiver.url, advanced_signatures: 'yes'}, /^advanced_signatures must be true or false/],
      [{name: 'a', url: receiver.url, slack_webhook_url: 'nope'}, /^slack_webhook_url is not a valid URL/],
      [{name: 'a', url: receiver.url, authentication: {type: 'oauth3'}}, /^authentication\.type must be one of/],
      [{name: 'a', url: receiver.url, authentication: {type: 'basic_auth'}}, /^authentication\.basic_auth is required/],
      [
        {name: 'a', url: receiver.url, authentication: {type: 'api_key', api_key: {header_name: 'X-Key'}}},
        /^authentication\.api_key\.header_value is required/,
      ],
    ]
    for (const [body, message] of cases) {
      const res = await api('POST', p('/endpoints'), body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json).toMatchObject({status: false, message: expect.stringMatching(message)})
    }
    expect((await api('GET', p('/endpoints'))).json.data.content).toEqual([])
  })

  it('leaves the endpoint untouched when an update is rejected', async () => {
    const {api, p, receiver} = await useRelay()
    const ep = (await api('POST', p('/endpoints'), {name: 'keep', url: receiver.url, owner_id: 'o1'})).json.data
    for (const [body, message] of [
      [{name: 'changed', url: 'not a url'}, /^url is not a valid URL/],
      [{name: 'changed', rate_limit: -5}, /^rate_limit must be at least 0/],
      [
        {name: 'changed', authentication: {type: 'basic_auth', basic_auth: {username: 'u'}}},
        /^authentication\.basic_auth\.password is required/,
      ],
    ] as const) {
      const res = await api('PUT', p(`/endpoints/${ep.uid}`), body, {offSpec: true})
      expect(res.status).toBe(400)
      expect(res.json.message).toMatch(message)
    }
    const bad = await api('PUT', p(`/endpoints/${ep.uid}`), undefined, {raw: '{"name": '})
    expect(bad.status).toBe(400)
    expect((await api('GET', p(`/endpoints/${ep.uid}`))).json.data).toEqual(ep)
  })

  it('answers 404 for unknown endpoint ids', async () => {
    const {api, p} = await useRelay()
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', {name: 'x'}],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(method, p(`/endpoints/${UNKNOWN}`), body)
      expect(res.status, method).toBe(404)
      expect(res.json.message).toBe(`endpoint ${UNKNOWN} not found`)
    }
    // An endpoint of another project is unknown here too.
    const other = (await api('POST', '/api/v1/projects', {name: 'other', type: 'outgoing'})).json.data.project.uid
    const foreign = (await api('POST', `/api/v1/projects/${other}/endpoints`, {name: 'f', url: 'http://127.0.0.1:1/'}))
      .json.data.uid
    expect((await api('GET', p(`/endpoints/${foreign}`))).status).toBe(404)
    expect((await api('DELETE', p(`/endpoints/${foreign}`))).status).toBe(404)
    expect((await api('GET', `/api/v1/projects/${other}/endpoints/${foreign}`)).status).toBe(200)
  })

  it('filters the list by name (q) and owner', async () => {
    const {api, p, receiver} = await useRelay()
    for (const [name, owner] of [
      ['orders-eu', 'acme'],
      ['orders-us', 'acme'],
      ['billing', 'globex'],
      ['100%_off', ''],
    ]) {
      await api('POST', p('/endpoints'), {name, url: receiver.url, owner_id: owner})
    }
    const names = async (query: Record<string, string>) =>
      (await api('GET', p('/endpoints') + qs(query))).json.data.content.map((x: {name: string}) => x.name).sort()
    expect(await names({q: 'orders'})).toEqual(['orders-eu', 'orders-us'])
    expect(await names({ownerId: 'acme'})).toEqual(['orders-eu', 'orders-us'])
    expect(await names({ownerId: 'globex', q: 'bill'})).toEqual(['billing'])
    // LIKE wildcards in q are literal.
    expect(await names({q: '%_'})).toEqual(['100%_off'])
    expect(await names({q: 'nothing'})).toEqual([])
  })

  it('pages through 45 endpoints forwards and backwards, both sort orders, with no duplicates or gaps', async () => {
    const {api, p, receiver} = await useRelay()
    const ids: string[] = []
    for (let i = 0; i < 45; i++) {
      ids.push((await api('POST', p('/endpoints'), {name: `ep-${i}`, url: receiver.url})).json.data.uid)
    }
    for (const sort of ['DESC', 'ASC'] as const) {
      for (const perPage of [10, 15, 45, 100]) {
        const walk = await walkPages(api, p('/endpoints'), {perPage, sort})
        expectCompleteWalk(walk, ids, perPage, sort)
      }
    }
    // DESC is the default: newest first, 20 per page.
    const first = await api('GET', p('/endpoints'))
    expect(first.json.data.content.map((x: {uid: string}) => x.uid)).toEqual([...ids].reverse().slice(0, 20))
    expect(first.json.data.pagination).toMatchObject({per_page: 20, has_next_page: true, has_prev_page: false})
  })

  it('rejects bad pagination parameters with 400', async () => {
    const {api, p} = await useRelay()
    for (const [query, message] of [
      [{perPage: '0'}, /^perPage must be a positive integer/],
      [{perPage: 'ten'}, /^perPage must be a positive integer/],
      [{sort: 'sideways'}, /^sort must be ASC or DESC/],
      [{direction: 'up'}, /^direction must be next or prev/],
    ] as const) {
      const res = await api('GET', p('/endpoints') + qs(query))
      expect(res.status, JSON.stringify(query)).toBe(400)
      expect(res.json.message).toMatch(message)
    }
  })
})
