// JSON as a tree of the body's own tokens: never through JSON.parse's values, so what is shown
// is what was sent — numbers beyond 2^53 keep their digits, escapes stay as written,
// duplicate keys all show (as the terminal inspector's json-view does).

export type JsonNode =
  | {kind: 'object'; entries: [key: string, value: JsonNode][]}
  | {kind: 'array'; items: JsonNode[]}
  | {kind: 'string' | 'number' | 'literal'; text: string}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\]:,]))/y

type Token = {kind: 'string' | 'number' | 'literal' | 'punct'; text: string}

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const m = TOKEN.exec(text)
    if (!m) return undefined
    if (m[1] !== undefined) tokens.push({kind: 'string', text: m[1]})
    else if (m[2] !== undefined) tokens.push({kind: 'number', text: m[2]})
    else if (m[3] !== undefined) tokens.push({kind: 'literal', text: m[3]})
    else tokens.push({kind: 'punct', text: m[4]})
  }
  return tokens
}

/** The tree of a JSON text; undefined when it is not JSON. */
export function parseJsonTree(text: string): JsonNode | undefined {
  const tokens = tokenize(text)
  if (!tokens?.length) return undefined
  let i = 0
  const value = (): JsonNode => {
    const t = tokens[i++]
    if (!t) throw new Error('end of input')
    if (t.kind !== 'punct') return {kind: t.kind, text: t.text}
    if (t.text === '{') {
      const entries: [string, JsonNode][] = []
      if (tokens[i]?.text === '}') {
        i++
        return {kind: 'object', entries}
      }
      for (;;) {
        const key = tokens[i++]
        if (key?.kind !== 'string' || tokens[i++]?.text !== ':') throw new Error('bad object')
        entries.push([key.text, value()])
        const sep = tokens[i++]?.text
        if (sep === '}') return {kind: 'object', entries}
        if (sep !== ',') throw new Error('bad object')
      }
    }
    if (t.text === '[') {
      const items: JsonNode[] = []
      if (tokens[i]?.text === ']') {
        i++
        return {kind: 'array', items}
      }
      for (;;) {
        items.push(value())
        const sep = tokens[i++]?.text
        if (sep === ']') return {kind: 'array', items}
        if (sep !== ',') throw new Error('bad array')
      }
    }
    throw new Error(`unexpected ${t.text}`)
  }
  try {
    const root = value()
    return i === tokens.length ? root : undefined
  } catch {
    return undefined
  }
}
