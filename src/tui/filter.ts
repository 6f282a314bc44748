import type {InspectEvent} from './types.js'

export interface ParsedFilter {
  status?: string
  type?: RegExp
  source?: string
  text: string[]
}

function glob(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`, 'i')
}

/** `status:Failure type:invoice.* source:github free words` → a filter. */
export function parseFilter(input: string): ParsedFilter {
  const filter: ParsedFilter = {text: []}
  for (const token of input.trim().split(/\s+/).filter(Boolean)) {
    const [key, ...rest] = token.split(':')
    const value = rest.join(':')
    if (value && key === 'status') filter.status = value.toLowerCase()
    else if (value && key === 'type') filter.type = glob(value)
    else if (value && key === 'source') filter.source = value.toLowerCase()
    else filter.text.push(token.toLowerCase())
  }
  return filter
}

/** The status shown for an event: duplicate, verification failure, or its deliveries'. */
export function displayStatus(e: InspectEvent): string {
  if (e.is_duplicate_event) return 'Duplicate'
  if (e.failure_reason) return 'Rejected'
  if (e.delivery_summary.deliveries === 0) return 'Stored'
  return e.status
}

export function decodeBody(e: InspectEvent): string {
  return Buffer.from(e.body_base64 ?? '', 'base64').toString('utf8')
}

export function matchesFilter(e: InspectEvent, f: ParsedFilter, sourceName: (id: string) => string): boolean {
  if (f.status && displayStatus(e).toLowerCase() !== f.status && e.status.toLowerCase() !== f.status) return false
  if (f.type && !f.type.test(e.event_type)) return false
  if (f.source && !sourceName(e.source_id).toLowerCase().includes(f.source)) return false
  if (f.text.length) {
    const haystack = `${e.event_type} ${e.url_path} ${e.uid} ${decodeBody(e)}`.toLowerCase()
    if (!f.text.every((word) => haystack.includes(word))) return false
  }
  return true
}
