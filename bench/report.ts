/**
 * The report model shared by the table printer and the JSON output: sections of rows
 * keyed by column, each section with its baseline row and notes saying what was measured.
 */

export type Value = number | string | null

export interface Column {
  key: string
  header: string
}

export interface Row {
  label: string
  /** The raw baseline this section compares against. */
  baseline?: boolean
  values: Record<string, Value>
}

export interface Section {
  id: string
  title: string
  columns: Column[]
  rows: Row[]
  notes: string[]
  /** Extra facts for machines (settings, counts) that the table leaves out. */
  facts?: Record<string, unknown>
}

export interface Report {
  meta: Record<string, Value>
  sections: Section[]
}

/** Numbers to ~3 significant figures, thousands grouped; ratios and strings as they are. */
export function formatValue(value: Value): string {
  if (value === null || value === undefined) return '–'
  if (typeof value === 'string') return value
  if (!Number.isFinite(value)) return '–'
  if (Number.isInteger(value)) return value.toLocaleString('en-US')
  const abs = Math.abs(value)
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3
  return value.toLocaleString('en-US', {minimumFractionDigits: digits, maximumFractionDigits: digits})
}

export function renderTable(section: Section): string {
  const header = ['', ...section.columns.map((c) => c.header)]
  const body = section.rows.map((row) => [
    row.label,
    ...section.columns.map((c) => formatValue(row.values[c.key] ?? null)),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  const out = [`## ${section.title}`, '', line(header), rule, ...body.map(line)]
  if (section.notes.length) out.push('', ...section.notes.map((n) => `  * ${n}`))
  return out.join('\n')
}

export function renderReport(report: Report): string {
  const metaWidth = Math.max(...Object.keys(report.meta).map((k) => k.length))
  const meta = Object.entries(report.meta).map(([k, v]) => `${k.padEnd(metaWidth)}  ${formatMeta(v)}`)
  return [
    '# Caravan benchmark',
    '',
    ...meta,
    '',
    ...report.sections.map(renderTable).join('\n\n').split('\n'),
    '',
  ].join('\n')
}

function formatMeta(value: Value): string {
  return typeof value === 'number' ? String(value) : (value ?? '–')
}
