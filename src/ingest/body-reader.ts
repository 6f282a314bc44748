/**
 * Reads an ingest body under the relay's bounds (size, buffered bytes, idle and total time),
 * and answers early refusals in a way the sender can read: the answer goes out at once, the
 * rest of the upload is read and dropped up to a bound, and only then is the connection closed.
 * Closing at once makes the sender's next write fail (EPIPE/ECONNRESET), so HTTP clients such
 * as Node's fetch report a broken pipe instead of the 413.
 */
import type {IncomingMessage, ServerResponse} from 'node:http'

import type {BodyTicket, IngestLimits} from './limits.js'

export class BodyRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'BodyRefused'
  }
}

export interface ReadOptions {
  /** The source's body limit. */
  limit: number
  ticket: BodyTicket
  limits: IngestLimits
  retryAfter: Record<string, string>
}

/** The whole body, or a BodyRefused (413 size, 408 too slow, 429/503 over the budget). */
export function readIngestBody(req: IncomingMessage, opts: ReadOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (error?: BodyRefused) => {
      if (done) return
      done = true
      clearTimeout(idle)
      clearTimeout(total)
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onAborted)
      chunks.length = 0
      if (error) reject(error)
    }
    const timeout = (what: string) => () =>
      finish(new BodyRefused(408, `request body ${what}; send the body within ${opts.limits.bodyTimeoutMs / 1000} s`))
    const idle = setTimeout(timeout(`stalled for ${opts.limits.idleTimeoutMs / 1000} s`), opts.limits.idleTimeoutMs)
    const total = setTimeout(timeout('took too long'), opts.limits.bodyTimeoutMs)
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > opts.limit)
        return finish(new BodyRefused(413, `request body is above the limit of ${opts.limit} bytes`))
      const over = opts.ticket.grow(chunk.length)
      if (over) return finish(new BodyRefused(over.status, over.message, opts.retryAfter))
      chunks.push(chunk)
      idle.refresh()
    }
    const onEnd = () => {
      const body = Buffer.concat(chunks, size)
      finish()
      resolve(body)
    }
    const onError = () => finish(new BodyRefused(400, 'the request body could not be read'))
    const onAborted = () => finish(new BodyRefused(400, 'the client closed the connection mid-body'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onAborted)
  })
}

/**
 * Answer now (`connection: close`), then read and drop up to `drainBytes` more of the upload
 * within `idleMs` of silence before closing gracefully; a sender that keeps going past that is
 * cut off.
 */
export function answerAndDrain(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  payload: unknown,
  opts: {headers?: Record<string, string>; drainBytes: number; idleMs: number},
): void {
  const body = Buffer.from(JSON.stringify(payload))
  res.writeHead(status, {
    ...opts.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    connection: 'close',
  })
  // Written but not ended: ending would close the socket while the sender is still writing.
  res.write(body)
  if (req.complete) {
    res.end()
    return
  }
  let drained = 0
  const close = () => {
    clearTimeout(timer)
    req.off('data', onData)
    req.off('end', onEnd)
  }
  const cut = () => {
    close()
    req.socket.destroy()
  }
  const onData = (chunk: Buffer) => {
    drained += chunk.length
    if (drained > opts.drainBytes) cut()
    else timer.refresh()
  }
  const onEnd = () => {
    close()
    res.end()
  }
  const timer = setTimeout(cut, opts.idleMs)
  req.on('data', onData)
  req.on('end', onEnd)
  req.on('close', () => clearTimeout(timer))
  req.resume()
}
