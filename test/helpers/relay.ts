import {randomBytes} from 'node:crypto'
import {mkdtemp, rm} from 'node:fs/promises'
import {createServer, type IncomingHttpHeaders, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {expect, onTestFinished} from 'vitest'

import {startRelay, type Relay, type RelayOptions} from '../../src/relay/relay.js'
import {documentsStatus, hasOperation, specPathFor, validateRequest, validateResponse} from './openapi.js'

export interface ApiResponse {
  status: number
  // Test code reads response JSON freely; the contract checks make sure of its shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
  headers: Headers
}

export interface CallOptions {
  /** Bearer key to send; null sends no Authorization header. Default: the admin key. */
  key?: string | null
  headers?: Record<string, string>
  /** Exact body bytes to send instead of the JSON of `body` (no request-body check). */
  raw?: string | Uint8Array
  /** The body is deliberately wrong (bad-input tests): skip the spec's request-body check. */
  offSpec?: boolean
  /** Spec errors that are documented Caravan extensions (each must say why at the call). */
  extensions?: RegExp[]
}

export type Api = (method: string, path: string, body?: unknown, opts?: CallOptions) => Promise<ApiResponse>

export interface ReceivedRequest {
  method: string
  url: string
  headers: IncomingHttpHeaders
  body: Buffer
}

/** A real HTTP server that answers 200 to anything, standing in for a user's app. */
export interface Receiver {
  url: string
  requests: ReceivedRequest[]
  close(): Promise<void>
}

export interface TestRelay {
  relay: Relay
  url: string
  key: string
  projectId: string
  receiver: Receiver
  /** A call over real HTTP, checked against Convoy's spec (request body and response). */
  api: Api
  /** `/api/v1/projects/<default project>` + `suffix`. */
  p(suffix?: string): string
  cleanup(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      requests.push({method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks)})
      res.writeHead(200, {'content-type': 'application/json'})
      res.end('{"ok":true}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/**
 * `errors` without those matching `extensions`, and without the echoes a waived error leaves
 * on the nullable objects around it (`/data/config must be null`, `... must match a schema
 * in anyOf`: a nullable object is `anyOf: [null, object]`, so both fail when the object does).
 */
export function waive(errors: string[], extensions: RegExp[]): string[] {
  const waived = errors.filter((e) => extensions.some((re) => re.test(e)))
  if (waived.length === 0) return errors
  const pathOf = (e: string) => e.slice(0, e.indexOf(' '))
  const waivedPaths = waived.map(pathOf)
  const isEcho = (e: string) => {
    if (!/ (must be null|must match a schema in anyOf)$/.test(e)) return false
    const path = pathOf(e)
    return waivedPaths.some((p) => path === '/' || p === path || p.startsWith(`${path}/`))
  }
  return errors.filter((e) => !waived.includes(e) && !isEcho(e))
}

/**
 * The checks every API call gets: Convoy's envelope, and the spec's schemas for the request
 * body and for the response at its status code.
 */
function checkContract(method: string, path: string, body: unknown, opts: CallOptions, res: ApiResponse): void {
  const where = `${method} ${path} → ${res.status}`
  expect(res.headers.get('content-type'), where).toMatch(/^application\/json/)
  expect(typeof res.json, `${where}: body is a JSON object`).toBe('object')
  expect(res.json, `${where}: envelope`).toMatchObject({status: res.status < 400, message: expect.any(String)})

  const specPath = specPathFor(path)
  if (!specPath || !hasOperation(method, specPath)) return
  const allowed = (errors: string[]) => waive(errors, opts.extensions ?? [])
  if (body !== undefined && opts.raw === undefined && !opts.offSpec) {
    expect(
      allowed(validateRequest(method, specPath, body)),
      `${method} ${specPath}: request body against the spec`,
    ).toEqual([])
  }
  // Statuses Convoy does not document (405, 413) still carry the envelope checked above.
  if (documentsStatus(method, specPath, res.status)) {
    expect(
      allowed(validateResponse(method, specPath, res.status, res.json)),
      `${where}: response against the spec`,
    ).toEqual([])
  }
}

/** Relay options a test may change; port, data dir and key are always the helper's. */
export type TestRelayOptions = Omit<RelayOptions, 'port' | 'dataDir' | 'apiKey'>

/** Start a relay on port 0 in a fresh temp dir, with a known admin key and a real receiver. */
export async function startTestRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const dataDir = await mkdtemp(join(tmpdir(), 'caravan-api-'))
  const key = `test-admin-${randomBytes(8).toString('hex')}`
  let relay: Relay
  let receiver: Receiver | undefined
  try {
    receiver = await startReceiver()
    relay = await startRelay({...options, port: 0, dataDir, apiKey: key})
  } catch (error) {
    await receiver?.close()
    await rm(dataDir, {recursive: true, force: true})
    throw error
  }
  const theReceiver = receiver

  const api: Api = async (method, path, body, opts = {}) => {
    const headers: Record<string, string> = {...opts.headers}
    const auth = opts.key === undefined ? key : opts.key
    if (auth !== null) headers.authorization = `Bearer ${auth}`
    let payload: string | Uint8Array | undefined = opts.raw
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body)
    if (payload !== undefined) headers['content-type'] ??= 'application/json'
    const response = await fetch(relay.url + path, {method, headers, body: payload})
    const text = await response.text()
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw new Error(`${method} ${path} → ${response.status}: not JSON: ${text.slice(0, 200)}`)
    }
    const res: ApiResponse = {status: response.status, json, headers: response.headers}
    checkContract(method, path, body, opts, res)
    return res
  }

  let cleaned = false
  const cleanup = async () => {
    if (cleaned) return
    cleaned = true
    await relay.stop({graceMs: 200})
    await theReceiver.close()
    await rm(dataDir, {recursive: true, force: true})
  }

  return {
    relay,
    url: relay.url,
    key,
    projectId: relay.defaultProjectId,
    receiver: theReceiver,
    api,
    p: (suffix = '') => `/api/v1/projects/${relay.defaultProjectId}${suffix}`,
    cleanup,
  }
}

/** startTestRelay, stopped and removed when the current test finishes (pass or fail). */
export async function useRelay(options: TestRelayOptions = {}): Promise<TestRelay> {
  const t = await startTestRelay(options)
  onTestFinished(() => t.cleanup())
  return t
}

/** Query string from a plain object; arrays repeat the parameter (Convoy's `status=a&status=b`). */
export function qs(params: Record<string, string | number | string[] | undefined>): string {
  const search = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, String(v))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
