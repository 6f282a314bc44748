// How a webhook body is shown: as JSON, form fields, text or a hex dump. Shared by the terminal
// inspector and the web dashboard, so it uses only what both have (Uint8Array, TextDecoder).

export type BodyKind = 'json' | 'form' | 'text' | 'binary' | 'empty'

/** The bytes as UTF-8 text; undefined when they are not valid UTF-8 or hold control characters. */
export function asText(bytes: Uint8Array): string | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes)
  } catch {
    return undefined
  }
  // Control characters other than tab/newline/CR mean binary.
  return /[\u0000-\u0008\u000E-\u001F]/.test(text) ? undefined : text
}

export function bodyKind(bytes: Uint8Array, contentType = ''): BodyKind {
  if (bytes.length === 0) return 'empty'
  const text = asText(bytes)
  if (text === undefined) return 'binary'
  if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
    try {
      JSON.parse(text)
      return 'json'
    } catch {
      // not JSON after all
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType)) return 'form'
  return 'text'
}

/** Classic 16-bytes-a-line hex dump: offset, hex bytes, printable ASCII. */
export function hexDump(bytes: Uint8Array, maxLines = 4096): string[] {
  const lines: string[] = []
  for (let offset = 0; offset < bytes.length && lines.length < maxLines; offset += 16) {
    const chunk = [...bytes.subarray(offset, offset + 16)]
    const hex = chunk.map((b) => b.toString(16).padStart(2, '0')).join(' ')
    const ascii = chunk.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`)
  }
  return lines
}
