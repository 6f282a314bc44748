// "Copy as curl": a shell command that sends the stored request again, byte for byte.
import {asText, toBase64} from './bytes.js'
import type {EventJson} from './types.js'

/** POSIX single quotes: everything literal; a quote itself becomes '\''. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

// Set by curl itself or describing the connection the request came on, not the request.
const SKIP_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'keep-alive', 'expect'])

// curl's own argument limit is the kernel's (128 KiB per argument); printf is a shell builtin and has none.
const INLINE_MAX = 32 * 1024

/**
 * The command: method, URL, the headers worth keeping, and the body. A text body goes
 * inline as `--data-binary '…'` (sent as is); one starting with `@` (curl would read a
 * file) or a large one is piped from printf, a binary one from base64 — so the bytes
 * that arrive are exactly the stored ones.
 */
export function curlCommand(event: EventJson, url: string, body: Uint8Array): string {
  const parts = ['curl', '-sS', '-X', shellQuote(event.method || 'POST'), shellQuote(url)]
  for (const [name, values] of Object.entries(event.headers ?? {})) {
    if (SKIP_HEADERS.has(name.toLowerCase())) continue
    // `name;` is curl's way to send a header with an empty value (`name:` would remove it).
    for (const v of values) parts.push('-H', shellQuote(v === '' ? `${name};` : `${name}: ${v}`))
  }
  // Without it curl would add its own content-type to a body it sends.
  if (body.length && !Object.keys(event.headers ?? {}).some((n) => n.toLowerCase() === 'content-type'))
    parts.push('-H', shellQuote('content-type:'))
  if (body.length === 0) return parts.join(' ')
  const text = asText(body)
  if (text !== undefined && !text.startsWith('@') && body.length <= INLINE_MAX)
    return [...parts, '--data-binary', shellQuote(text)].join(' ')
  const source =
    text !== undefined ? `printf %s ${shellQuote(text)}` : `printf %s ${shellQuote(toBase64(body))} | base64 --decode`
  return `${source} | ${[...parts, '--data-binary', '@-'].join(' ')}`
}

/** Where the original request was sent: the source's ingest URL with the request's path and query. */
export function ingestUrl(event: EventJson, sourceUrl: string | undefined): string {
  const base = sourceUrl ?? `${location.origin}/ingest/`
  return `${base}${event.url_path ?? ''}${event.url_query_params ? `?${event.url_query_params}` : ''}`
}
