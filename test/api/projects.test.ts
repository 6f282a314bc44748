import {describe, expect, it} from 'vitest'

import {useRelay} from '../helpers/relay.js'

const P = '/api/v1/projects'

describe('projects', () => {
  it('lists the default project made on first start', async () => {
    const {api, projectId} = await useRelay()
    const res = await api('GET', P)
    expect(res.status).toBe(200)
    expect(res.json.message).toBe('Projects fetched successfully')
    expect(res.json.data).toHaveLength(1)
    expect(res.json.data[0]).toMatchObject({uid: projectId, name: 'default', type: 'outgoing'})
  })

  it('creates (201), gets, updates (202) and deletes a project', async () => {
    const {api} = await useRelay()
    const body = {
      name: 'billing',
      type: 'outgoing',
      logo_url: 'https://example.com/logo.png',
      config: {
        strategy: {type: 'exponential', duration: 30, retry_count: 4},
        ratelimit: {count: 50, duration: 10},
        disable_endpoint: true,
      },
    }
    const created = await api('POST', P, body)
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({status: true, message: 'Project created successfully'})
    const project = created.json.data.project
    expect(project).toMatchObject({
      name: 'billing',
      type: 'outgoing',
      logo_url: 'https://example.com/logo.png',
      config: {
        strategy: {type: 'exponential', duration: 30, retry_count: 4},
        ratelimit: {count: 50, duration: 10},
        disable_endpoint: true,
      },
    })
    // Untouched config keeps its defaults.
    expect(project.config.signature.header).toBe('X-Convoy-Signature')
    expect(created.json.data.api_key).toMatchObject({key: expect.stringMatching(/^CO\./), key_type: 'project'})

    const got = await api('GET', `${P}/${project.uid}`)
    expect(got.status).toBe(200)
    expect(got.json.data).toEqual(project)

    const updated = await api('PUT', `${P}/${project.uid}`, {name: 'billing-v2', config: {strategy: {retry_count: 7}}})
    expect(updated.status).toBe(202)
    expect(updated.json.message).toBe('Project updated successfully')
    expect(updated.json.data).toMatchObject({
      name: 'billing-v2',
      type: 'outgoing',
      config: {strategy: {type: 'exponential', duration: 30, retry_count: 7}},
    })
    expect((await api('GET', `${P}/${project.uid}`)).json.data.name).toBe('billing-v2')

    const listed = await api('GET', P)
    expect(listed.json.data.map((x: {uid: string}) => x.uid)).toContain(project.uid)

    const deleted = await api('DELETE', `${P}/${project.uid}`)
    expect(deleted.status).toBe(200)
    expect(deleted.json).toMatchObject({status: true, message: expect.stringMatching(/deleted/)})
    expect((await api('GET', `${P}/${project.uid}`)).status).toBe(404)
    expect((await api('GET', `${P}/${project.uid}/endpoints`)).status).toBe(404)
    expect((await api('DELETE', `${P}/${project.uid}`)).status).toBe(404)
    expect((await api('GET', P)).json.data.map((x: {uid: string}) => x.uid)).not.toContain(project.uid)
  })

  it('keeps a custom signature header and the Standard Webhooks scheme (Caravan extensions)', async () => {
    const {api, projectId} = await useRelay()
    // Convoy's spec types signature.header as an enum holding only X-Convoy-Signature (the Go
    // default constant); Convoy itself takes any header name, and so does Caravan. `scheme`
    // is Caravan's own field.
    const extensions = [/^\/(data\/)?config\/signature\/header must be equal to one of the allowed values/]
    const res = await api(
      'PUT',
      `${P}/${projectId}`,
      {
        config: {
          signature: {
            header: 'X-Acme-Signature',
            scheme: 'standard-webhooks',
            versions: [{hash: 'SHA512', encoding: 'base64'}],
          },
        },
      },
      {extensions},
    )
    expect(res.status).toBe(202)
    expect(res.json.data.config.signature).toMatchObject({
      header: 'X-Acme-Signature',
      scheme: 'standard-webhooks',
      versions: [{hash: 'SHA512', encoding: 'base64', uid: expect.any(String), created_at: expect.any(String)}],
    })
    expect((await api('GET', `${P}/${projectId}`, undefined, {extensions})).json.data.config.signature.header).toBe(
      'X-Acme-Signature',
    )
  })

  it('rejects bad input with 400 naming the field, and stores nothing', async () => {
    const {api} = await useRelay()
    const cases: [unknown, RegExp][] = [
      [{type: 'outgoing'}, /^name is required/],
      [{name: 'x'}, /^type is required/],
      [{name: 'x', type: 'sideways'}, /^type must be one of/],
      [{name: 42, type: 'outgoing'}, /^name must be a string/],
      [{name: 'x', type: 'outgoing', config: {strategy: {type: 'random'}}}, /^config\.strategy\.type must be one of/],
      [
        {name: 'x', type: 'outgoing', config: {strategy: {duration: -1}}},
        /^config\.strategy\.duration must be at least 1/,
      ],
      [
        {name: 'x', type: 'outgoing', config: {ratelimit: {count: 'many'}}},
        /^config\.ratelimit\.count must be an integer/,
      ],
      [
        {name: 'x', type: 'outgoing', config: {signature: {versions: []}}},
        /^config\.signature\.versions must be a non-empty array/,
      ],
    ]
    for (const [body, message] of cases) {
      const res = await api('POST', P, body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json.status).toBe(false)
      expect(res.json.message).toMatch(message)
    }
    expect((await api('GET', P)).json.data).toHaveLength(1)
  })

  it('leaves the project untouched when an update is rejected', async () => {
    const {api, projectId} = await useRelay()
    const before = (await api('GET', `${P}/${projectId}`)).json.data
    const res = await api(
      'PUT',
      `${P}/${projectId}`,
      {name: 'renamed', config: {strategy: {retry_count: 1000}}},
      {offSpec: true},
    )
    expect(res.status).toBe(400)
    expect(res.json.message).toMatch(/^config\.strategy\.retry_count must be at most 100/)
    expect((await api('GET', `${P}/${projectId}`)).json.data).toEqual(before)
  })

  it('answers 404 for an unknown project id', async () => {
    const {api} = await useRelay()
    const id = '01JZZZZZZZZZZZZZZZZZZZZZZZ'
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', {name: 'x'}],
      ['DELETE', undefined],
    ] as const) {
      const res = await api(method, `${P}/${id}`, body)
      expect(res.status, method).toBe(404)
      expect(res.json.message).toMatch(/project .* not found/)
    }
  })
})
