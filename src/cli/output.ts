import {Chalk, type ChalkInstance} from 'chalk'

/** Colour only for a TTY, and never when NO_COLOR is set (https://no-color.org). */
export function makeChalk(
  stream: NodeJS.WriteStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): ChalkInstance {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return new Chalk({level: 0})
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return new Chalk({level: 1})
  return new Chalk({level: stream.isTTY ? 1 : 0})
}

export interface Column<T> {
  header: string
  get: (row: T) => string
  color?: (value: string, c: ChalkInstance) => string
}

// Strip ANSI so padding is computed on visible width.
const visible = (s: string): number => s.replace(/\u001B\[[0-9;]*m/g, '').length

/** An aligned table: bold header, two spaces between columns, no trailing spaces. */
export function renderTable<T>(rows: T[], columns: Column<T>[], c: ChalkInstance): string {
  const cells = rows.map((row) => columns.map((col) => col.get(row) ?? ''))
  const widths = columns.map((col, i) => Math.max(col.header.length, ...cells.map((r) => visible(r[i]))))
  const line = (values: string[], paint: (v: string, i: number) => string) =>
    values
      .map((v, i) => {
        const painted = paint(v, i)
        return i === values.length - 1 ? painted : painted + ' '.repeat(widths[i] - visible(v) + 2)
      })
      .join('')
      .trimEnd()
  const header = line(
    columns.map((col) => col.header),
    (v) => c.bold(v),
  )
  const body = cells.map((r) => line(r, (v, i) => (columns[i].color ? columns[i].color!(v, c) : v)))
  return [header, ...body].join('\n')
}

/** Key/value lines for a single resource. */
export function renderFields(fields: [string, string][], c: ChalkInstance): string {
  const width = Math.max(...fields.map(([k]) => k.length))
  return fields.map(([k, v]) => `${c.dim(k.padEnd(width))}  ${v}`).join('\n')
}

export function colorStatus(status: string, c: ChalkInstance): string {
  switch (status) {
    case 'Success':
    case 'active':
      return c.green(status)
    case 'Failure':
    case 'Discarded':
    case 'inactive':
      return c.red(status)
    case 'Retry':
    case 'paused':
      return c.yellow(status)
    case 'Processing':
    case 'Scheduled':
      return c.cyan(status)
    case 'Waiting for listener':
      return c.yellow(status)
    default:
      return status
  }
}

export function shortTime(iso: string): string {
  if (!iso) return ''
  return iso
    .replace('T', ' ')
    .replace(/\.\d+Z$/, '')
    .replace(/Z$/, '')
}
