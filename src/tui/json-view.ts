/**
 * Pretty JSON for the detail view: the body's own tokens re-indented (two spaces, as
 * `JSON.stringify(v, null, 2)` lays them out) and coloured. It never goes through
 * `JSON.parse`, so what is shown is what was sent: numbers beyond 2^53 keep their
 * digits, escapes stay as written, duplicate keys all show.
 */

export interface Segment {
  text: string
  color?: string
}

export const JSON_COLORS = {key: 'blue', string: 'green', number: 'yellow', literal: 'magenta'} as const

type Token = {kind: 'string' | 'number' | 'literal' | 'punct'; text: string}

const TOKEN = /\s*(?:("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\]:,]))/y

/** The tokens of valid JSON text; null when it is not JSON. */
function tokenize(text: string): Token[] | null {
  const tokens: Token[] = []
  TOKEN.lastIndex = 0
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break
    const m = TOKEN.exec(text)
    if (!m) return null
    if (m[1] !== undefined) tokens.push({kind: 'string', text: m[1]})
    else if (m[2] !== undefined) tokens.push({kind: 'number', text: m[2]})
    else if (m[3] !== undefined) tokens.push({kind: 'literal', text: m[3]})
    else tokens.push({kind: 'punct', text: m[4]})
  }
  return tokens
}

/** Lines of coloured segments; null when `text` is not JSON. */
export function prettyJson(text: string): Segment[][] | null {
  const tokens = tokenize(text)
  if (!tokens || tokens.length === 0) return null
  const lines: Segment[][] = []
  let line: Segment[] = []
  let depth = 0
  const newline = () => {
    lines.push(line)
    line = [{text: '  '.repeat(depth)}]
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]
    const next = tokens[i + 1]
    if (t.kind === 'punct') {
      if (t.text === '{' || t.text === '[') {
        const close = t.text === '{' ? '}' : ']'
        if (next?.text === close) {
          line.push({text: t.text + close})
          i++
          const after = tokens[i + 1]
          if (after && (after.text === '}' || after.text === ']')) newline()
          continue
        }
        line.push({text: t.text})
        depth++
        newline()
      } else if (t.text === '}' || t.text === ']') {
        depth--
        // The indent pushed for the line before the close is one level too deep.
        line = [{text: '  '.repeat(depth)}]
        line.push({text: t.text})
      } else if (t.text === ',') {
        line.push({text: ','})
        newline()
      } else {
        line.push({text: ': '})
      }
      if (next && (next.text === '}' || next.text === ']') && t.text !== '{' && t.text !== '[') newline()
      continue
    }
    const isKey = t.kind === 'string' && next?.text === ':'
    line.push({text: t.text, color: isKey ? JSON_COLORS.key : JSON_COLORS[t.kind]})
    if (next && (next.text === '}' || next.text === ']')) newline()
  }
  lines.push(line)
  return lines.map((segments) => segments.filter((s) => s.text !== ''))
}
