// A webhook body's exact bytes (the API's body_base64) and the ways the detail page shows them.

export type BodyKind = 'json' | 'form' | 'text' | 'binary' | 'empty'

export function fromBase64(b64: string): Uint8Array {
  const bin = atob(b64)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  return bytes
}

export function toBase64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

/** The bytes as UTF-8 text; undefined when they are not valid UTF-8 or hold control characters. */
export function asText(bytes: Uint8Array): string | undefined {
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes)
  } catch {
    return undefined
  }
  // Control characters other than tab/newline/CR mean binary (as the terminal inspector decides).
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
