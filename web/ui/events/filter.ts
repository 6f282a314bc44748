// The inspector's filter syntax (`status:Failure type:invoice.* source:github free words`,
// src/tui/filter.ts), split into what the events API applies itself — so the first page is
// one indexed query however many events are stored, and a rare status still fills pages —
// and what the browser checks on the rows it gets (a type pattern, further words).
import type {Query} from '../../shared/api.js'
import {fromBase64} from './bytes.js'
import {displayStatus, type EventJson, type SourceJson} from './types.js'

export interface ParsedFilter {
  status?: string
  type?: string
  source?: string
  words: string[]
}

export function parseFilter(input: string): ParsedFilter {
  const filter: ParsedFilter = {words: []}
  for (const token of input.trim().split(/\s+/).filter(Boolean)) {
    const colon = token.indexOf(':')
    const key = colon > 0 ? token.slice(0, colon) : ''
    const value = colon > 0 ? token.slice(colon + 1) : ''
    if (value && key === 'status') filter.status = value.toLowerCase()
    else if (value && key === 'type') filter.type = value
    else if (value && key === 'source') filter.source = value.toLowerCase()
    else filter.words.push(token.toLowerCase())
  }
  return filter
}

function glob(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')
  return new RegExp(`^${escaped}$`, 'i')
}

export interface FilterPlan {
  /** Parameters for GET /events (and batch counts): applied by the server on its indexes. */
  query: Query
  /** Checks the server cannot make, run on each row it returns (and on live events). */
  matches: (e: EventJson) => boolean
  /** Some part runs in the browser: a page of the API may show fewer rows than it held. */
  partlyInBrowser: boolean
  /** The source filter names no source: nothing can match. */
  noSource: boolean
}

const decoder = new TextDecoder()

/** The statuses and labels the events API's `status` filter knows (src/core/events.ts). */
const STATUSES = ['Success', 'Failure', 'Retry', 'Processing', 'Pending', 'Duplicate', 'Rejected', 'Stored']

/**
 * `status:` goes to the API's `status` (the list's status, or the label a row shows).
 * `source:` matches names containing the text (as the inspector does): the matching
 * sources' ids go to the API. `type:` without `*` is the API's exact `event_type`. One
 * word (the longest; or a pattern's literal part) goes as the API's `query` (event type
 * or body contains it); the status and the rest are checked here.
 */
export function planFilter(f: ParsedFilter, sources: SourceJson[]): FilterPlan {
  const query: Query = {}
  const sourceIds = f.source ? sources.filter((s) => s.name.toLowerCase().includes(f.source!)).map((s) => s.uid) : []
  if (f.source) query.sourceId = sourceIds
  if (f.status) query.status = STATUSES.find((s) => s.toLowerCase() === f.status) ?? f.status
  const typePattern = f.type?.includes('*') ? glob(f.type) : undefined
  if (f.type && !typePattern) query.event_type = f.type
  const longest = [...f.words].sort((a, b) => b.length - a.length)[0]
  const literal = typePattern ? f.type!.split('*').sort((a, b) => b.length - a.length)[0] : ''
  if (longest) query.query = longest
  else if (literal) query.query = literal
  const checkWords = f.words.filter((w) => w !== longest)
  // Rows from the API already match; live events from the feed are checked here.
  const matches = (e: EventJson): boolean => {
    if (f.status && displayStatus(e).toLowerCase() !== f.status && e.status.toLowerCase() !== f.status) return false
    if (typePattern && !typePattern.test(e.event_type)) return false
    if (f.type && !typePattern && e.event_type !== f.type) return false
    if (f.source && !sourceIds.includes(e.source_id)) return false
    if (f.words.length) {
      const haystack = `${e.event_type} ${decoder.decode(fromBase64(e.body_base64 ?? ''))}`.toLowerCase()
      if (!f.words.every((w) => haystack.includes(w))) return false
    }
    return true
  }
  return {
    query,
    matches,
    partlyInBrowser: Boolean(typePattern || checkWords.length),
    noSource: Boolean(f.source) && sourceIds.length === 0,
  }
}
