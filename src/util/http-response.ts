/** What the relay keeps of a response body (delivery attempts, listener results). */
export const RESPONSE_BODY_LIMIT = 50 * 1024

/** Read at most `limit` bytes of a response body, then stop reading it. */
export async function readLimited(
  body: AsyncIterable<Buffer> & {destroy?: () => void},
  limit: number,
): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    const room = limit - size
    if (room <= 0) break
    chunks.push(room >= chunk.length ? chunk : chunk.subarray(0, room))
    size += Math.min(room, chunk.length)
  }
  body.destroy?.()
  return Buffer.concat(chunks)
}

/** Response headers as lists of values (repeated headers kept apart). */
export function headerLists(raw: Record<string, string | string[] | undefined>): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const [k, v] of Object.entries(raw)) if (v !== undefined) out[k] = Array.isArray(v) ? v : [v]
  return out
}

const FRIENDLY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connect timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connect timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
  UND_ERR_BODY_TIMEOUT: 'timed out',
  UND_ERR_SOCKET: 'socket closed',
  EHOSTUNREACH: 'host unreachable',
}

/** A failed request's error code and a short human reason ("connection refused"). */
export function describeNetworkError(error: unknown): {message: string; code: string} {
  const e = error as {code?: string; message?: string; cause?: {code?: string; message?: string}}
  const code = e.cause?.code ?? e.code ?? ''
  return {message: FRIENDLY[code] ?? e.cause?.message ?? e.message ?? String(error), code}
}
