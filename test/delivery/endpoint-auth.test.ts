import {createServer as createHttpsServer} from 'node:https'
import {createServer, type IncomingMessage} from 'node:http'
import type {AddressInfo} from 'node:net'
import type {TLSSocket} from 'node:tls'

import {describe, expect, it, onTestFinished} from 'vitest'

import {startDeliveryRelay} from '../helpers/delivery.js'
import {makeTestPki} from '../helpers/tls.js'

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  )
  return String((server.address() as AddressInfo).port)
}

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = ''
    req.on('data', (c: Buffer) => (text += c.toString()))
    req.on('end', () => resolve(text))
  })

describe('endpoint client certificates (mTLS)', () => {
  it('presents the endpoint’s certificate to a sink that requires one; without it the attempt fails', async () => {
    const pki = makeTestPki()
    const seen: string[] = []
    const sink = createHttpsServer(
      {...pki.server, ca: pki.ca, requestCert: true, rejectUnauthorized: true},
      (req, res) => {
        seen.push(String((req.socket as TLSSocket).getPeerCertificate().subject.CN))
        req.resume()
        res.end('ok')
      },
    )
    const url = `https://127.0.0.1:${await listen(sink as never)}/hook`
    const r = await startDeliveryRelay({trustedCa: [pki.ca]})

    const withCert = await r.endpoint({
      url,
      mtls_client_cert: {client_cert: pki.client.cert, client_key: pki.client.key},
    })
    // The key is never shown back.
    expect(withCert.mtls_client_cert).toEqual({client_cert: pki.client.cert})
    expect((await r.delivery(await r.send(withCert.uid, {n: 1}))).status).toBe('Success')
    expect(seen).toEqual(['caravan-client'])

    const without = await r.endpoint({url})
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}})
    const failed = await r.delivery(await r.send(without.uid, {n: 2}))
    expect(failed.status).toBe('Failure')
    const [attempt] = await r.attempts(failed.uid)
    expect(attempt.error).toMatch(/certificate|handshake|socket|reset|alert/i)
    expect(seen).toEqual(['caravan-client'])

    // An update that repeats the certificate without its key keeps the stored key.
    const kept = await r.ok('PUT', r.p(`/endpoints/${withCert.uid}`), {
      name: withCert.name,
      url,
      mtls_client_cert: {client_cert: pki.client.cert},
    })
    expect(kept.mtls_client_cert).toEqual({client_cert: pki.client.cert})
    expect((await r.delivery(await r.send(withCert.uid, {n: 3}))).status).toBe('Success')
    expect(seen).toEqual(['caravan-client', 'caravan-client'])
  })

  it('refuses a certificate and key that do not belong together, or that are not PEM, with 400', async () => {
    const pki = makeTestPki()
    const r = await startDeliveryRelay({deliver: false})
    for (const [mtls, message] of [
      [{client_cert: pki.client.cert, client_key: pki.stranger.key}, /^mtls_client_cert.client_key does not belong/],
      [{client_cert: 'nope', client_key: pki.client.key}, /^mtls_client_cert.client_cert is not a PEM certificate/],
      [{client_cert: pki.client.cert, client_key: 'nope'}, /^mtls_client_cert.client_key is not a PEM private key/],
      [{client_cert: pki.client.cert}, /^mtls_client_cert.client_key is required/],
    ] as const) {
      const res = await r.api('POST', r.p('/endpoints'), {
        name: 'e',
        url: 'https://127.0.0.1:1',
        mtls_client_cert: mtls,
      })
      expect(res.status).toBe(400)
      expect(res.json.message).toMatch(message)
    }
    expect((await r.ok('GET', r.p('/endpoints'))).content).toEqual([])
  })
})

describe('OAuth2 endpoint authentication', () => {
  async function tokenServer(answer: () => {status: number; body: unknown}) {
    const forms: URLSearchParams[] = []
    const server = createServer(async (req, res) => {
      forms.push(new URLSearchParams(await bodyOf(req)))
      const {status, body} = answer()
      res.writeHead(status, {'content-type': 'application/json'})
      res.end(JSON.stringify(body))
    })
    return {url: `http://127.0.0.1:${await listen(server)}/token`, forms}
  }

  it('fetches a client-credentials token once, reuses it while valid, and sends it as Bearer', async () => {
    let issued = 0
    const tokens = await tokenServer(() => ({
      status: 200,
      body: {access_token: `tok-${++issued}`, token_type: 'bearer', expires_in: 3600},
    }))
    const auth: string[] = []
    const sink = createServer(async (req, res) => {
      auth.push(String(req.headers.authorization))
      await bodyOf(req)
      res.end('ok')
    })
    const url = `http://127.0.0.1:${await listen(sink)}/hook`
    const r = await startDeliveryRelay()
    const oauth2 = {
      url: tokens.url,
      client_id: 'caravan',
      client_secret: 's3cret',
      grant_type: 'client_credentials',
      scope: 'hooks',
      authentication_type: 'shared_secret',
    }
    const endpoint = await r.endpoint({url, authentication: {type: 'oauth2', oauth2}})
    const ids = [
      await r.send(endpoint.uid, {n: 1}),
      await r.send(endpoint.uid, {n: 2}),
      await r.send(endpoint.uid, {n: 3}),
    ]
    for (const id of ids) expect((await r.delivery(id)).status).toBe('Success')
    expect(auth).toEqual(['Bearer tok-1', 'Bearer tok-1', 'Bearer tok-1'])
    expect(tokens.forms).toHaveLength(1)
    expect(Object.fromEntries(tokens.forms[0])).toEqual({
      grant_type: 'client_credentials',
      client_id: 'caravan',
      client_secret: 's3cret',
      scope: 'hooks',
    })
    // The token is not stored with the attempt.
    const [attempt] = await r.attempts((await r.delivery(ids[0])).uid)
    expect(JSON.stringify(attempt.request_http_header)).not.toMatch(/tok-1/)
  })

  it('records a token failure on the attempt, and oauth2/test reports success and failure', async () => {
    let ok = false
    const tokens = await tokenServer(() =>
      ok ? {status: 200, body: {token: 'abc', expiresIn: 2}} : {status: 401, body: {error: 'invalid_client'}},
    )
    const r = await startDeliveryRelay()
    await r.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}})
    const oauth2 = {url: tokens.url, client_id: 'c', client_secret: 'wrong'}
    const endpoint = await r.endpoint({url: 'http://127.0.0.1:9/never', authentication: {type: 'oauth2', oauth2}})
    const failed = await r.delivery(await r.send(endpoint.uid, {}))
    expect(failed.status).toBe('Failure')
    const [attempt] = await r.attempts(failed.uid)
    expect(attempt.error).toBe('oauth2 token: the token URL answered HTTP 401: {"error":"invalid_client"}')

    const bad = await r.api('POST', r.p('/endpoints/oauth2/test'), {oauth2})
    expect(bad.status).toBe(200)
    expect(bad.json.data).toMatchObject({success: false, error: expect.stringMatching(/HTTP 401/)})
    ok = true
    const mapped = {
      ...oauth2,
      field_mapping: {access_token: 'token', expires_in: 'expiresIn'},
      expiry_time_unit: 'minutes',
    }
    const good = await r.api('POST', r.p('/endpoints/oauth2/test'), {oauth2: mapped})
    expect(good.json.data).toMatchObject({success: true, access_token: 'abc', token_type: 'Bearer'})
    const expiresIn = Date.parse(good.json.data.expires_at) - Date.now()
    expect(expiresIn).toBeGreaterThan(60_000)
    expect(expiresIn).toBeLessThanOrEqual(120_000)
    const unsupported = await r.api('POST', r.p('/endpoints/oauth2/test'), {
      oauth2: {...oauth2, authentication_type: 'client_assertion'},
    })
    expect(unsupported.status).toBe(400)
    expect(unsupported.json.message).toMatch(/^oauth2.authentication_type: "client_assertion" is not supported/)
  })
})
