import {asText, type BodyKind, bodyKind, hexDump} from '../util/body-kind.js'
import {prettyJson, type Segment} from './json-view.js'
import type {InspectEvent} from './types.js'

export type {BodyKind}

/**
 * The body as display lines: pretty JSON (also as coloured segments), form fields as
 * key = value, hex for binary.
 */
export function bodyLines(bytes: Buffer, contentType = ''): {kind: BodyKind; lines: string[]; segments?: Segment[][]} {
  const kind = bodyKind(bytes, contentType)
  switch (kind) {
    case 'empty':
      return {kind, lines: ['(empty body)']}
    case 'binary':
      return {kind, lines: [`(binary, ${bytes.length} bytes)`, ...hexDump(bytes)]}
    case 'json': {
      const segments = prettyJson(bytes.toString('utf8'))
      if (segments) return {kind, lines: segments.map((l) => l.map((s) => s.text).join('')), segments}
      // (bodyKind checked it parses; the tokenizer agrees on anything JSON.parse takes)
      return {kind, lines: bytes.toString('utf8').split('\n')}
    }
    case 'form':
      return {kind, lines: [...new URLSearchParams(bytes.toString('utf8'))].map(([k, v]) => `${k} = ${v}`)}
    default:
      return {kind, lines: bytes.toString('utf8').split('\n')}
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

const SKIP_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding'])

/** A curl command that sends the stored request again (body as --data-binary). */
export function curlCommand(e: InspectEvent, url: string): string {
  const parts = ['curl', '-X', e.method || 'POST', shellQuote(url)]
  for (const [name, values] of Object.entries(e.headers ?? {})) {
    if (SKIP_HEADERS.has(name)) continue
    for (const v of values) parts.push('-H', shellQuote(`${name}: ${v}`))
  }
  const body = Buffer.from(e.body_base64 ?? '', 'base64')
  if (body.length) {
    parts.push(
      '--data-binary',
      asText(body) !== undefined
        ? shellQuote(body.toString('utf8'))
        : `@<(printf %s ${shellQuote(body.toString('base64'))} | base64 -d)`,
    )
  }
  return parts.join(' ')
}

export function shortTime(iso: string): string {
  const d = new Date(iso)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** OSC 52: ask the terminal to put text on the clipboard (works over SSH and in tmux with set-clipboard). */
export function osc52(text: string): string {
  return `\u001B]52;c;${Buffer.from(text).toString('base64')}\u0007`
}
