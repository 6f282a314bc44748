import type {ChalkInstance} from 'chalk'

import type {Json} from '../client/resources.js'
import {colorStatus, type Column, renderFields, renderTable, shortTime} from './output.js'

const status: Column<Json>['color'] = (v, c) => colorStatus(v, c)

/** An event only a disconnected listener still owes is waiting, not processing. */
function eventStatusText(e: Json): string {
  if (e.is_duplicate_event) return 'duplicate'
  if (e.status === 'Pending' && e.delivery_summary?.waiting_for_listener > 0) return 'Waiting for listener'
  return e.status ?? ''
}

export const COLUMNS: Record<string, Column<Json>[]> = {
  projects: [
    {header: 'ID', get: (p) => p.uid},
    {header: 'NAME', get: (p) => p.name},
    {header: 'TYPE', get: (p) => p.type},
    {header: 'CREATED', get: (p) => shortTime(p.created_at)},
  ],
  endpoints: [
    {header: 'ID', get: (e) => e.uid},
    {header: 'NAME', get: (e) => e.name},
    {header: 'URL', get: (e) => e.url},
    {header: 'STATUS', get: (e) => e.status, color: status},
    {header: 'CREATED', get: (e) => shortTime(e.created_at)},
  ],
  subscriptions: [
    {header: 'ID', get: (s) => s.uid},
    {header: 'NAME', get: (s) => s.name},
    {header: 'ENDPOINT', get: (s) => s.endpoint_metadata?.name ?? s.endpoint_id ?? ''},
    {header: 'EVENT TYPES', get: (s) => (s.filter_config?.event_types ?? []).join(',')},
    {header: 'CREATED', get: (s) => shortTime(s.created_at)},
  ],
  sources: [
    {header: 'ID', get: (s) => s.uid},
    {header: 'NAME', get: (s) => s.name},
    {header: 'PROVIDER', get: (s) => s.provider || s.verifier?.type || ''},
    {header: 'INGEST URL', get: (s) => s.url ?? ''},
  ],
  events: [
    {header: 'ID', get: (e) => e.uid},
    {header: 'TYPE', get: (e) => e.event_type},
    {header: 'STATUS', get: (e) => eventStatusText(e), color: status},
    // Listeners (caravan listen) are not endpoints: counted apart.
    {header: 'ENDPOINTS', get: (e) => String(e.delivery_summary?.endpoints ?? (e.endpoints ?? []).length)},
    {header: 'CREATED', get: (e) => shortTime(e.created_at)},
  ],
  deliveries: [
    {header: 'ID', get: (d) => d.uid},
    {header: 'EVENT TYPE', get: (d) => d.event_type ?? ''},
    {header: 'ENDPOINT', get: (d) => d.endpoint_metadata?.name ?? d.endpoint_id},
    {header: 'STATUS', get: (d) => d.status, color: status},
    {header: 'ATTEMPTS', get: (d) => String(d.metadata?.num_trials ?? 0)},
    {header: 'CREATED', get: (d) => shortTime(d.created_at)},
  ],
  'event types': [
    {header: 'NAME', get: (e) => e.name},
    {header: 'CATEGORY', get: (e) => e.category ?? ''},
    {header: 'SCHEMA', get: (e) => (e.json_schema ? 'yes' : '')},
    {header: 'DEPRECATED', get: (e) => (e.deprecated_at ? shortTime(e.deprecated_at) : '')},
    {header: 'DESCRIPTION', get: (e) => e.description ?? ''},
  ],
  'meta-events': [
    {header: 'ID', get: (m) => m.uid},
    {header: 'TYPE', get: (m) => m.event_type},
    {header: 'STATUS', get: (m) => m.status, color: status},
    {header: 'ATTEMPTS', get: (m) => String(m.metadata?.num_trials ?? 0)},
    {header: 'CREATED', get: (m) => shortTime(m.created_at)},
  ],
  'portal-links': [
    {header: 'ID', get: (l) => l.uid},
    {header: 'NAME', get: (l) => l.name},
    {header: 'OWNER', get: (l) => l.owner_id ?? ''},
    {header: 'ENDPOINTS', get: (l) => String(l.endpoint_count ?? 0)},
    {header: 'CREATED', get: (l) => shortTime(l.created_at)},
  ],
  attempts: [
    {header: 'ID', get: (a) => a.uid},
    {header: 'STATUS', get: (a) => a.http_status || '-'},
    {header: 'LATENCY', get: (a) => (a.latency_ms === null || a.latency_ms === undefined ? '' : `${a.latency_ms}ms`)},
    {header: 'ERROR', get: (a) => a.error ?? ''},
    {header: 'AT', get: (a) => shortTime(a.created_at)},
  ],
}

export function renderList(kind: keyof typeof COLUMNS, rows: Json[], c: ChalkInstance, more?: string): string {
  if (rows.length === 0) return c.dim(`No ${kind} found.`)
  const table = renderTable(rows, COLUMNS[kind], c)
  return more ? `${table}\n${c.dim(more)}` : table
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return ''
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

/** All scalar fields first, then nested ones as compact JSON. */
export function renderResource(resource: Json, c: ChalkInstance, omit: string[] = []): string {
  const entries = Object.entries(resource).filter(([k, v]) => !omit.includes(k) && v !== undefined)
  const fields: [string, string][] = entries.map(([k, v]) => [
    k,
    k === 'status' && typeof v === 'string' ? colorStatus(v, c) : show(v),
  ])
  return renderFields(fields, c)
}
