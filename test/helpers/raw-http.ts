import {request} from 'node:http'
import {connect} from 'node:net'

export interface RawResponse {
  status: number
  text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any
}

/**
 * An HTTP request whose path goes on the wire exactly as given: fetch() (WHATWG URL) would
 * resolve `..` and `%2e%2e` before sending, which is the very thing these tests are about.
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  opts: {headers?: Record<string, string>; body?: string | Buffer} = {},
): Promise<RawResponse> {
  const {hostname, port} = new URL(base)
  const headers = {...opts.headers}
  // Node frames no GET/DELETE body by itself: without a length the bytes would read as a second request.
  if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body))
  return new Promise((resolve, reject) => {
    const req = request({host: hostname, port, method, path, headers, agent: false}, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          json = undefined
        }
        resolve({status: res.statusCode ?? 0, text, json})
      })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

/**
 * Write raw bytes to the relay's port and collect what comes back until it closes (or
 * `waitMs` passes, then close; with `headOnly`, as soon as a response head has arrived).
 * For request lines no HTTP client would send.
 */
export function rawExchange(port: number, bytes: string | Buffer, waitMs = 2000, headOnly = false): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const done = () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString('latin1'))
    }
    const timer = setTimeout(() => socket.destroy(), waitMs)
    socket.on('data', (c: Buffer) => {
      chunks.push(c)
      if (headOnly && Buffer.concat(chunks).includes('\r\n\r\n')) socket.destroy()
    })
    socket.on('error', () => socket.destroy())
    socket.on('close', done)
    socket.write(bytes)
  })
}

/** The status code of the first response line in `text`, or 0 when there is none. */
export function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
}
