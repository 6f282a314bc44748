import {CaravanError} from '../errors.js'

/** One endpoint to onboard, as Convoy's OnboardItem, with the file line it came from. */
export interface EndpointRow {
  line: number
  item: Record<string, unknown>
}

export const CSV_COLUMNS = ['name', 'url', 'event_type', 'auth_username', 'auth_password'] as const

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. Records keep their first line number. */
function csvRecords(text: string): {line: number; fields: string[]}[] {
  const records: {line: number; fields: string[]}[] = []
  let fields: string[] = []
  let field = ''
  let quoted = false
  let line = 1
  let start = 1
  let sawAny = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') {
        quoted = false
      } else {
        if (c === '\n') line++
        field += c
      }
      continue
    }
    if (c === '"' && field === '') {
      quoted = true
      sawAny = true
    } else if (c === ',') {
      fields.push(field)
      field = ''
      sawAny = true
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      fields.push(field)
      if (sawAny || field !== '') records.push({line: start, fields})
      fields = []
      field = ''
      sawAny = false
      line++
      start = line
    } else {
      field += c
      sawAny = true
    }
  }
  if (quoted) throw new CaravanError('CARAVAN_ERR_USAGE', `CSV line ${start}: a quoted field is never closed`)
  if (sawAny || field !== '') records.push({line: start, fields: [...fields, field]})
  return records
}

function parseCsv(text: string, file: string): EndpointRow[] {
  const [header, ...rows] = csvRecords(text)
  if (!header) return []
  const names = header.fields.map((h) => h.trim().toLowerCase())
  const unknown = names.filter((n) => !(CSV_COLUMNS as readonly string[]).includes(n))
  if (unknown.length || !names.includes('url') || !names.includes('name'))
    throw new CaravanError(
      'CARAVAN_ERR_USAGE',
      `${file}: the CSV header must name the columns ${CSV_COLUMNS.join(',')} (name and url required)${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`,
    )
  return rows.map((row) => ({
    line: row.line,
    item: Object.fromEntries(names.map((n, i) => [n, row.fields[i]?.trim() ?? '']).filter(([, v]) => v !== '')),
  }))
}

function parseNdjson(text: string, file: string): EndpointRow[] {
  const rows: EndpointRow[] = []
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    if (raw.trim() === '') continue
    try {
      rows.push({line: i + 1, item: JSON.parse(raw) as Record<string, unknown>})
    } catch (error) {
      throw new CaravanError('CARAVAN_ERR_USAGE', `${file} line ${i + 1} is not JSON: ${(error as Error).message}`)
    }
  }
  return rows
}

/** Endpoints from a CSV (header row) or NDJSON file: by extension, else NDJSON when it starts with `{`. */
export function parseEndpointFile(text: string, file: string): EndpointRow[] {
  const body = text.replace(/^\uFEFF/, '')
  const ndjson = /\.(ndjson|jsonl)$/i.test(file) || (!/\.csv$/i.test(file) && body.trimStart().startsWith('{'))
  return ndjson ? parseNdjson(body, file) : parseCsv(body, file)
}
