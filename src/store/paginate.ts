import type {Db} from './db.js'

export interface PageQuery {
  perPage: number
  /** Cursor from a previous page's `next_page_cursor` or `prev_page_cursor`. */
  cursor?: string
  direction: 'next' | 'prev'
  sort: 'ASC' | 'DESC'
}

export interface Pagination {
  per_page: number
  has_next_page: boolean
  has_prev_page: boolean
  next_page_cursor: string
  prev_page_cursor: string
}

export interface Page<T> {
  content: T[]
  pagination: Pagination
}

export const DEFAULT_PER_PAGE = 20
export const MAX_PER_PAGE = 1000

/**
 * Keyset pagination on the ULID primary key: every page is an index range scan, so the
 * newest 50 of millions of rows cost the same as of ten. Cursors are the id of the last
 * (next) or first (prev) row shown, exclusive.
 */
export function paginate<Row extends {id: string}>(
  db: Db,
  spec: {table: string; where: string[]; params: unknown[]},
  page: PageQuery,
): Page<Row> {
  const desc = page.sort === 'DESC'
  // Moving "next" walks in the sort order; "prev" walks backwards from the cursor.
  const forward = page.direction === 'next'
  const walkDesc = forward ? desc : !desc
  const where = [...spec.where]
  const params = [...spec.params]
  if (page.cursor) {
    where.push(walkDesc ? 'id < ?' : 'id > ?')
    params.push(page.cursor)
  }
  const sql = `SELECT * FROM ${spec.table} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id ${walkDesc ? 'DESC' : 'ASC'} LIMIT ?`
  const rows = db.prepare(sql).all(...params, page.perPage + 1) as Row[]
  const more = rows.length > page.perPage
  if (more) rows.pop()
  if (!forward) rows.reverse()

  const first = rows[0]?.id ?? ''
  const last = rows.at(-1)?.id ?? ''
  // Whether rows exist on the other side of what we show: one indexed probe.
  const beyond = (id: string, walkDescending: boolean): boolean => {
    if (!id) return false
    const w = [...spec.where, walkDescending ? 'id < ?' : 'id > ?']
    const row = db.prepare(`SELECT 1 FROM ${spec.table} WHERE ${w.join(' AND ')} LIMIT 1`).get(...spec.params, id)
    return row !== undefined
  }
  const hasNext = forward ? more : beyond(last, desc)
  const hasPrev = forward ? (page.cursor ? beyond(first, !desc) : false) : more
  return {
    content: rows,
    pagination: {
      per_page: page.perPage,
      has_next_page: hasNext,
      has_prev_page: hasPrev,
      next_page_cursor: hasNext ? last : '',
      prev_page_cursor: hasPrev ? first : '',
    },
  }
}
