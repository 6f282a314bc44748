import type {ServerResponse} from 'node:http'
import type {Duplex} from 'node:stream'

const answer = (status: string) => `HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`
const ANSWERS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: answer('431 Request Header Fields Too Large'),
  HPE_CHUNK_EXTENSIONS_OVERFLOW: answer('413 Payload Too Large'),
  ERR_HTTP_REQUEST_TIMEOUT: answer('408 Request Timeout'),
}
const BAD_REQUEST = answer('400 Bad Request')

/**
 * Bytes the HTTP parser cannot read (`clientError`). Node's own answer writes a 400 at once,
 * even when a complete request read before them on the same connection is still being
 * answered — a webhook pipelined ahead of garbage was stored, yet its sender read "400".
 * Here that answer finishes first, with `Connection: close`, and the connection ends after
 * it; the garbage gets no answer of its own. Otherwise (nothing in flight, or its request
 * not read to its end) it is Node's behaviour: the status for the error, then close.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & {_httpMessage?: ServerResponse | null})._httpMessage
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy()
    return
  }
  if (inFlight && !inFlight.writableFinished && inFlight.req?.complete && error.code !== 'ERR_HTTP_REQUEST_TIMEOUT') {
    inFlight.shouldKeepAlive = false
    const close = () => socket.destroy()
    inFlight.once('finish', () => socket.end(close))
    inFlight.once('close', close)
    return
  }
  // Bytes of an answer already on the wire cannot be followed by another status line.
  if (!inFlight?.headersSent) socket.end(ANSWERS[error.code ?? ''] ?? BAD_REQUEST, () => socket.destroy())
  else socket.destroy()
}
