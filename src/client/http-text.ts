import {type IncomingMessage, request as httpRequest} from 'node:http'
import {request as httpsRequest} from 'node:https'

export interface TextResponse {
  status: number
  text: string
}

export interface TextRequest {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** Longest wait for the connection, and for each read of the answer. */
  timeoutMs: number
}

/** A failed request, with a Node-style `code` (ECONNREFUSED, ENOTFOUND, ETIMEDOUT, …). */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
  }
}

/**
 * One HTTP(S) request with a text answer, on Node's own http modules. The CLI's calls to a
 * gateway are small JSON exchanges; Node's client is already loaded with the runtime,
 * where a client library costs start-up time in every command.
 *
 * Errors: `ETIMEDOUT` when no connection was made in time, `ESOCKETTIMEDOUT` when the
 * gateway connected but went quiet, else the socket's own code.
 */
export function requestText(url: URL, opts: TextRequest): Promise<TextResponse> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolve, reject) => {
    let connected = false
    // Destroying a request mid-answer also fails the answer: report why it was destroyed.
    let timedOut: RequestError | undefined
    const fail = (error: NodeJS.ErrnoException) =>
      reject(timedOut ?? new RequestError(error.message, error.code ?? 'ECONNRESET', {cause: error}))
    const req = send(url, {method: opts.method ?? 'GET', headers: opts.headers, timeout: opts.timeoutMs})
    req.on('socket', (socket) => {
      // A reused keep-alive socket is connected already.
      if (!socket.connecting) connected = true
      socket.once('connect', () => (connected = true))
    })
    req.on('timeout', () => {
      timedOut = connected
        ? new RequestError(`no answer within ${opts.timeoutMs / 1000}s`, 'ESOCKETTIMEDOUT')
        : new RequestError(`connect timed out after ${opts.timeoutMs / 1000}s`, 'ETIMEDOUT')
      req.destroy(timedOut)
    })
    req.on('error', fail)
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8')}))
      res.on('error', fail)
    })
    req.end(opts.body)
  })
}
