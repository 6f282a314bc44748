import {request} from 'node:http'

import {describe, expect, it} from 'vitest'

import {useRelay} from '../helpers/relay.js'

/** POST `size` bytes with a raw client, so the 413 can be read even while still uploading. */
function postLarge(
  url: string,
  key: string,
  size: number,
  opts: {chunked?: boolean} = {},
): Promise<{status: number; json: {status?: boolean; message?: string}}> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    }
    if (!opts.chunked) headers['content-length'] = size
    const req = request(url, {method: 'POST', headers}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8'))}),
      )
      res.on('error', reject)
    })
    // The relay may close the connection once it has answered: that is not a test failure.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error)
    })
    const chunk = Buffer.alloc(1024 * 1024, 'a')
    let sent = 0
    const write = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent)
        sent += n
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', write)
          return
        }
      }
      req.end()
    }
    write()
  })
}

describe('GET /healthz', () => {
  it('answers without an API key', async () => {
    const {api} = await useRelay()
    const res = await api('GET', '/healthz', undefined, {key: null})
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({
      status: true,
      data: {version: expect.any(String), uptime_seconds: expect.any(Number)},
    })
  })
})

describe('authentication', () => {
  it('answers 401 without a key, with a wrong key and with a non-Bearer scheme', async () => {
    const {api, p} = await useRelay()
    const noKey = await api('GET', p('/endpoints'), undefined, {key: null})
    expect(noKey.status).toBe(401)
    expect(noKey.json.message).toMatch(/API key/)

    const wrong = await api('GET', p('/endpoints'), undefined, {key: 'CO.nope.nope'})
    expect(wrong.status).toBe(401)
    expect(wrong.json).toEqual({status: false, message: 'invalid API key'})

    const basic = await api('GET', p('/endpoints'), undefined, {
      key: null,
      headers: {authorization: 'Basic dXNlcjpwYXNz'},
    })
    expect(basic.status).toBe(401)

    const projects = await api('GET', '/api/v1/projects', undefined, {key: 'wrong'})
    expect(projects.status).toBe(401)
  })

  it('checks the key before touching the body: a 401 never creates anything', async () => {
    const {api, p} = await useRelay()
    const res = await api('POST', p('/endpoints'), {name: 'x', url: 'http://127.0.0.1:1/'}, {key: 'wrong'})
    expect(res.status).toBe(401)
    const list = await api('GET', p('/endpoints'))
    expect(list.json.data.content).toEqual([])
  })

  it('gives a project key its own project and 401 on any other', async () => {
    const {api, p, projectId} = await useRelay()
    const created = await api('POST', '/api/v1/projects', {name: 'tenant', type: 'outgoing'})
    expect(created.status).toBe(201)
    const own = created.json.data.project.uid as string
    const projectKey = created.json.data.api_key.key as string
    expect(projectKey).toMatch(/^CO\./)

    const mine = await api('GET', `/api/v1/projects/${own}`, undefined, {key: projectKey})
    expect(mine.status).toBe(200)
    expect(mine.json.data.uid).toBe(own)
    const ep = await api(
      'POST',
      `/api/v1/projects/${own}/endpoints`,
      {name: 'a', url: 'http://127.0.0.1:1/'},
      {key: projectKey},
    )
    expect(ep.status).toBe(201)

    // The default project is not this key's.
    for (const path of [`/api/v1/projects/${projectId}`, p('/endpoints'), p('/events'), p('/eventdeliveries')]) {
      const res = await api('GET', path, undefined, {key: projectKey})
      expect(res.status, path).toBe(401)
    }
    const write = await api('POST', p('/endpoints'), {name: 'b', url: 'http://127.0.0.1:1/'}, {key: projectKey})
    expect(write.status).toBe(401)
    expect((await api('GET', p('/endpoints'))).json.data.content).toEqual([])

    // Listing projects shows only its own; creating or deleting projects needs the admin key.
    const list = await api('GET', '/api/v1/projects', undefined, {key: projectKey})
    expect(list.json.data.map((x: {uid: string}) => x.uid)).toEqual([own])
    expect((await api('POST', '/api/v1/projects', {name: 'more', type: 'outgoing'}, {key: projectKey})).status).toBe(
      401,
    )
    expect((await api('DELETE', `/api/v1/projects/${own}`, undefined, {key: projectKey})).status).toBe(401)
    expect((await api('GET', `/api/v1/projects/${own}`)).status).toBe(200)
  })
})

describe('request handling', () => {
  it('answers 404 in the envelope for unknown routes and 405 for a wrong method', async () => {
    const {api, p} = await useRelay()
    const unknown = await api('GET', '/api/v1/nothing-here')
    expect(unknown.status).toBe(404)
    expect(unknown.json.status).toBe(false)
    expect((await api('GET', '/not-api')).status).toBe(404)
    const method = await api('PATCH', p('/endpoints'), {})
    expect(method.status).toBe(405)
    expect(method.json.message).toMatch(/PATCH/)
  })

  it('answers 400 for a body that is not JSON, or not a JSON object', async () => {
    const {api, p} = await useRelay()
    const broken = await api('POST', p('/endpoints'), undefined, {raw: '{"name": "a", "url": '})
    expect(broken.status).toBe(400)
    expect(broken.json.message).toMatch(/not valid JSON/)
    const array = await api('POST', p('/endpoints'), undefined, {raw: '[1, 2]'})
    expect(array.status).toBe(400)
    expect(array.json.message).toMatch(/JSON object/)
    expect((await api('GET', p('/endpoints'))).json.data.content).toEqual([])
  })

  it('answers 413 for a body over 10 MiB, declared or streamed, and keeps serving', async () => {
    const {api, p, url, key} = await useRelay()
    const over = 10 * 1024 * 1024 + 1
    const declared = await postLarge(url + p('/endpoints'), key, over)
    expect(declared.status).toBe(413)
    expect(declared.json).toMatchObject({status: false, message: expect.stringMatching(/limit/)})

    const streamed = await postLarge(url + p('/endpoints'), key, over, {chunked: true})
    expect(streamed.status).toBe(413)
    expect(streamed.json.status).toBe(false)

    // Exactly at the limit is allowed through to validation (it is not valid JSON: 400).
    const atLimit = await postLarge(url + p('/endpoints'), key, 10 * 1024 * 1024)
    expect(atLimit.status).toBe(400)

    expect((await api('GET', p('/endpoints'))).status).toBe(200)
  })
})
