import {describe, expect, it} from 'vitest'

import {expectCompleteWalk, walkPages} from '../helpers/paging.js'
import {qs, useRelay} from '../helpers/relay.js'

const UNKNOWN = '01JZZZZZZZZZZZZZZZZZZZZZZZ'
const hmac = (header: string, secret: string) => ({
  type: 'hmac',
  hmac: {header, hash: 'SHA256', encoding: 'hex', secret},
})

// Convoy's SourceProvider enum is github, twitter, shopify. `stripe` and `standard-webhooks`
// are documented Caravan extensions, so the spec's enum check on `provider` is waived for them.
const PROVIDER_EXTENSION = [/^(\/data(\/content\/\d+)?)?\/provider must be equal to one of the allowed values/]

describe('sources', () => {
  it('creates (201), gets, updates (202) and deletes a source', async () => {
    const {api, p, url, projectId} = await useRelay()
    const created = await api('POST', p('/sources'), {
      name: 'payments',
      type: 'http',
      verifier: hmac('X-Signature', 'shh'),
      idempotency_keys: ['header.X-Request-Id', 'body.id'],
      event_type_location: 'body.type',
      custom_response: {body: '{"ok":1}', content_type: 'application/json'},
    })
    expect(created.status).toBe(201)
    expect(created.json.message).toBe('Source created successfully')
    const src = created.json.data
    expect(src).toMatchObject({
      project_id: projectId,
      name: 'payments',
      type: 'http',
      provider: '',
      verifier: hmac('X-Signature', 'shh'),
      idempotency_keys: ['header.X-Request-Id', 'body.id'],
      event_type_location: 'body.type',
      custom_response: {body: '{"ok":1}', content_type: 'application/json'},
      is_disabled: false,
      body_limit: 10 * 1024 * 1024, // Caravan extension: per-source size limit
    })
    expect(src.mask_id).toMatch(/^[0-9a-z]{16}$/)
    expect(src.url).toBe(`${url}/ingest/${src.mask_id}`)

    const got = await api('GET', p(`/sources/${src.uid}`))
    expect(got.status).toBe(200)
    expect(got.json.data).toEqual(src)

    const updated = await api('PUT', p(`/sources/${src.uid}`), {
      name: 'payments-v2',
      is_disabled: true,
      forward_headers: ['X-Trace'],
    })
    expect(updated.status).toBe(202)
    expect(updated.json.message).toBe('Source updated successfully')
    expect(updated.json.data).toMatchObject({
      uid: src.uid,
      mask_id: src.mask_id,
      name: 'payments-v2',
      is_disabled: true,
      forward_headers: ['X-Trace'],
      verifier: src.verifier,
      idempotency_keys: src.idempotency_keys,
    })
    expect((await api('GET', p(`/sources/${src.uid}`))).json.data).toEqual(updated.json.data)

    const deleted = await api('DELETE', p(`/sources/${src.uid}`))
    expect(deleted.status).toBe(200)
    expect(deleted.json).toEqual({status: true, message: 'Source deleted successfully'})
    expect((await api('GET', p(`/sources/${src.uid}`))).status).toBe(404)
    expect((await api('DELETE', p(`/sources/${src.uid}`))).status).toBe(404)
  })

  it('a name already taken in the project: 409 naming the field, nothing stored; renaming into it too', async () => {
    const {api, p} = await useRelay()
    const first = await api('POST', p('/sources'), {name: 'github', type: 'http'})
    expect(first.status).toBe(201)
    const again = await api('POST', p('/sources'), {name: 'github', type: 'http'})
    expect(again.status).toBe(409)
    expect(again.json).toMatchObject({
      status: false,
      message: expect.stringMatching(/^name: a source named "github" already exists/),
    })
    const other = await api('POST', p('/sources'), {name: 'stripe', type: 'http'})
    const renamed = await api('PUT', p(`/sources/${other.json.data.uid}`), {name: 'github'})
    expect(renamed.status).toBe(409)
    const list = await api('GET', p('/sources'))
    expect(list.json.data.content.map((s: {name: string}) => s.name).sort()).toEqual(['github', 'stripe'])
  })

  it('stores each verifier type, and a noop verifier by default', async () => {
    const {api, p} = await useRelay()
    let n = 0
    // Names are unique in a project: one per source made here.
    const make = async (body: Record<string, unknown>) => {
      const res = await api('POST', p('/sources'), {name: `s${++n}`, type: 'http', ...body})
      expect(res.status, JSON.stringify(res.json)).toBe(201)
      return res.json.data.verifier
    }
    expect(await make({})).toEqual({type: 'noop'})
    expect(await make({verifier: {type: 'basic_auth', basic_auth: {username: 'u', password: 'pw'}}})).toEqual({
      type: 'basic_auth',
      basic_auth: {username: 'u', password: 'pw'},
    })
    expect(await make({verifier: {type: 'api_key', api_key: {header_name: 'X-Key', header_value: 'v'}}})).toEqual({
      type: 'api_key',
      api_key: {header_name: 'X-Key', header_value: 'v'},
    })
    // A provider fixes its own header and encoding; only the secret comes from the body.
    expect(await make({provider: 'github', verifier: hmac('Ignored', 'gh-secret')})).toEqual(
      hmac('X-Hub-Signature-256', 'gh-secret'),
    )
    expect(await make({provider: 'shopify', verifier: hmac('Ignored', 'sh')})).toEqual({
      type: 'hmac',
      hmac: {header: 'X-Shopify-Hmac-Sha256', hash: 'SHA256', encoding: 'base64', secret: 'sh'},
    })
  })

  it('accepts the stripe provider as a Caravan extension', async () => {
    const {api, p} = await useRelay()
    const res = await api(
      'POST',
      p('/sources'),
      {name: 'stripe', type: 'http', provider: 'stripe', verifier: hmac('Stripe-Signature', 'whsec_x')},
      {extensions: PROVIDER_EXTENSION},
    )
    expect(res.status).toBe(201)
    expect(res.json.data).toMatchObject({provider: 'stripe', verifier: hmac('Stripe-Signature', 'whsec_x')})
    const listed = await api('GET', p('/sources') + qs({provider: 'stripe'}), undefined, {
      extensions: PROVIDER_EXTENSION,
    })
    expect(listed.json.data.content.map((s: {uid: string}) => s.uid)).toEqual([res.json.data.uid])
  })

  it('rejects bad input with 400 naming the field, and stores nothing', async () => {
    const {api, p} = await useRelay()
    const cases: [unknown, RegExp][] = [
      [{type: 'http'}, /^name is required/],
      [{name: 's', type: 'pub_sub'}, /^type must be one of http/],
      [{name: 's', provider: 'myspace'}, /^provider must be one of/],
      [{name: 's', provider: 'github'}, /^verifier\.hmac\.secret is required for provider github/],
      [{name: 's', verifier: {type: 'magic'}}, /^verifier\.type must be one of/],
      [{name: 's', verifier: {type: 'hmac'}}, /^verifier\.hmac is required/],
      [{name: 's', verifier: {type: 'hmac', hmac: {header: 'X-Sig'}}}, /^verifier\.hmac\.secret is required/],
      [
        {name: 's', verifier: {type: 'hmac', hmac: {header: 'X-Sig', secret: 's', hash: 'MD5'}}},
        /^verifier\.hmac\.hash must be one of SHA256, SHA512/,
      ],
      [
        {name: 's', verifier: {type: 'basic_auth', basic_auth: {username: 'u'}}},
        /^verifier\.basic_auth\.password is required/,
      ],
      [{name: 's', idempotency_keys: ['X-Request-Id']}, /^idempotency_keys\[0\] must look like header/],
      [{name: 's', event_type_location: 'type'}, /^event_type_location\[0\] must look like header/],
      [{name: 's', body_limit: 0}, /^body_limit must be at least 1/],
    ]
    for (const [body, message] of cases) {
      const res = await api('POST', p('/sources'), body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json).toMatchObject({status: false, message: expect.stringMatching(message)})
    }
    expect((await api('GET', p('/sources'))).json.data.content).toEqual([])
  })

  it('leaves the source untouched when an update is rejected', async () => {
    const {api, p} = await useRelay()
    const src = (await api('POST', p('/sources'), {name: 'keep', type: 'http', verifier: hmac('X-Sig', 's1')})).json
      .data
    for (const body of [
      {name: 'changed', verifier: {type: 'hmac', hmac: {header: 'X-Sig'}}},
      {name: 'changed', idempotency_keys: ['nowhere']},
      {name: 'changed', provider: 'github'},
    ]) {
      const res = await api('PUT', p(`/sources/${src.uid}`), body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    expect((await api('GET', p(`/sources/${src.uid}`))).json.data).toEqual(src)
  })

  it('answers 404 for unknown source ids', async () => {
    const {api, p} = await useRelay()
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', {name: 'x'}],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(method, p(`/sources/${UNKNOWN}`), body)
      expect(res.status, method).toBe(404)
      expect(res.json.message).toBe(`source ${UNKNOWN} not found`)
    }
  })

  it('filters by provider and pages through 45 sources both ways', async () => {
    const {api, p} = await useRelay()
    const ids: string[] = []
    for (let i = 0; i < 45; i++) {
      const body =
        i % 5 === 0
          ? {name: `gh-${i}`, type: 'http', provider: 'github', verifier: hmac('X', 's')}
          : {name: `s-${i}`, type: 'http'}
      ids.push((await api('POST', p('/sources'), body)).json.data.uid)
    }
    const github = await api('GET', p('/sources') + qs({provider: 'github', perPage: 50}))
    expect(github.json.data.content.map((s: {uid: string}) => s.uid)).toEqual(
      ids.filter((_, i) => i % 5 === 0).reverse(),
    )
    const http = await api('GET', p('/sources') + qs({type: 'http', perPage: 50}))
    expect(http.json.data.content).toHaveLength(45)

    for (const sort of ['DESC', 'ASC'] as const) {
      expectCompleteWalk(await walkPages(api, p('/sources'), {perPage: 11, sort}), ids, 11, sort)
    }
  })
})
