/** JSON column helpers: the store keeps nested config as JSON text. */
export const toJson = (value: unknown): string => JSON.stringify(value)

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback
  return JSON.parse(text) as T
}

let lastIso = {ms: Number.NaN, text: ''}

/** `now` as an ISO string; the same millisecond again reuses the last one (several per delivery). */
export function nowIso(now: number = Date.now()): string {
  if (now !== lastIso.ms) lastIso = {ms: now, text: new Date(now).toISOString()}
  return lastIso.text
}

/**
 * How deep a body may nest and still be handled as JSON. Serialising, filtering and
 * rendering JSON recurse per level, so an unbounded depth (a 5,000-level array is 10 KB)
 * would overflow the stack on every read of the event; real webhooks stay far below this.
 */
export const MAX_JSON_DEPTH = 64
/** Above this size a body is served as its raw bytes only, never parsed on a read. */
export const MAX_JSON_BYTES = 10 * 1024 * 1024

/**
 * The deepest nesting of `[`/`{` in JSON text, by a linear scan that stops once past `limit`
 * (no recursion and no parse, so any input is safe to measure).
 */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      depth++
      if (depth > deepest) {
        deepest = depth
        if (deepest > limit) return deepest
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return deepest
}

const utf8 = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true})

export type HandledJson = {ok: true; value: unknown} | {ok: false; reason: 'not-json' | 'too-deep' | 'too-large'}

/**
 * A body as JSON, when it can be handled as JSON: valid UTF-8 text within MAX_JSON_BYTES that
 * parses and nests at most MAX_JSON_DEPTH levels. A pure function of the bytes, so ingest, the
 * API and the feed all decide the same way for the same stored body; anything else is kept and
 * served as raw bytes only.
 */
export function handleableJson(body: Buffer): HandledJson {
  if (body.length > MAX_JSON_BYTES) return {ok: false, reason: 'too-large'}
  let text: string
  try {
    text = utf8.decode(body)
  } catch {
    return {ok: false, reason: 'not-json'}
  }
  if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) return {ok: false, reason: 'too-deep'}
  try {
    return {ok: true, value: JSON.parse(text)}
  } catch {
    return {ok: false, reason: 'not-json'}
  }
}
