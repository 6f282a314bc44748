import type Database from 'better-sqlite3'

import {cachedRead, deepFreeze, isWatched} from './config-cache.js'
import type {Db} from './db.js'
import {fromJson, nowIso, toJson} from './json.js'
import {paginate, type Page, type PageQuery} from './paginate.js'

type Row = Record<string, unknown>

type Statement = Database.Statement<unknown[]>

const statements = new WeakMap<Db, Map<string, Statement>>()

/** Prepared statements are reused per connection: preparing is a visible share of hot paths. */
export function prepared(db: Db, sql: string): Statement {
  let cache = statements.get(db)
  if (!cache) statements.set(db, (cache = new Map()))
  let stmt = cache.get(sql)
  if (!stmt) cache.set(sql, (stmt = db.prepare<unknown[]>(sql)))
  return stmt
}

/**
 * Maps one record type to its table: JSON columns are (de)serialised, booleans kept as
 * 0/1. Keeps the per-resource modules down to their queries.
 */
export class Table<T extends {id: string}> {
  private readonly columns: string[]
  private readonly insertSql: string
  private readonly updateSql: string
  /** Reads by id and `find` go through the config cache (tables it watches). */
  private readonly cached: boolean

  constructor(
    readonly name: string,
    columns: readonly (keyof T & string)[],
    private readonly jsonColumns: readonly (keyof T & string)[] = [],
    private readonly boolColumns: readonly (keyof T & string)[] = [],
    private readonly softDelete = true,
  ) {
    this.columns = [...columns]
    this.cached = isWatched(name)
    this.insertSql = `INSERT INTO ${name} (${this.columns.join(', ')}) VALUES (${this.columns.map(() => '?').join(', ')})`
    const settable = this.columns.filter((c) => c !== 'id')
    this.updateSql = `UPDATE ${name} SET ${settable.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`
  }

  get live(): string[] {
    return this.softDelete ? ['deleted_at IS NULL'] : []
  }

  toRow(record: T): unknown[] {
    const values = record as unknown as Row
    return this.columns.map((c) => {
      const v = values[c]
      if ((this.jsonColumns as string[]).includes(c)) return v === null || v === undefined ? null : toJson(v)
      if ((this.boolColumns as string[]).includes(c)) return v ? 1 : 0
      return v === undefined ? null : v
    })
  }

  fromRow(row: Row): T {
    const out: Row = {}
    for (const c of this.columns) {
      const v = row[c]
      if ((this.jsonColumns as string[]).includes(c)) out[c] = fromJson(v as string | null, null)
      else if ((this.boolColumns as string[]).includes(c)) out[c] = v === 1
      else out[c] = v
    }
    return out as T
  }

  insert(db: Db, record: T): T {
    prepared(db, this.insertSql).run(...this.toRow(record))
    return record
  }

  update(db: Db, record: T): T {
    const values = this.toRow(record)
    const id = values.shift()
    prepared(db, this.updateSql).run(...values, id)
    return record
  }

  get(db: Db, projectId: string, id: string): T | undefined {
    const read = () => {
      const where = ['id = ?', 'project_id = ?', ...this.live]
      const row = prepared(db, `SELECT * FROM ${this.name} WHERE ${where.join(' AND ')}`).get(id, projectId) as
        Row | undefined
      return row && this.fromRow(row)
    }
    if (!this.cached) return read()
    // Shared when cached: frozen, and each caller gets its own top level.
    const record = cachedRead(db, this.name, `${projectId}\0${id}`, () => {
      const found = read()
      return found && deepFreeze(found)
    })
    return record && {...record}
  }

  find(db: Db, where: string[], params: unknown[]): T[] {
    const read = () => {
      const all = [...where, ...this.live]
      const rows = prepared(
        db,
        `SELECT * FROM ${this.name} ${all.length ? 'WHERE ' + all.join(' AND ') : ''} ORDER BY id`,
      ).all(...params) as Row[]
      return rows.map((r) => this.fromRow(r))
    }
    if (!this.cached) return read()
    const key = `find\0${where.join('\0')}\0${JSON.stringify(params)}`
    const records = cachedRead(db, this.name, key, () => deepFreeze(read())) ?? []
    return records.map((r) => ({...r}))
  }

  page(db: Db, where: string[], params: unknown[], query: PageQuery): Page<T> {
    const result = paginate<Row & {id: string}>(db, {table: this.name, where: [...where, ...this.live], params}, query)
    return {...result, content: result.content.map((r) => this.fromRow(r))}
  }

  remove(db: Db, projectId: string, id: string): boolean {
    const result = this.softDelete
      ? db
          .prepare(`UPDATE ${this.name} SET deleted_at = ? WHERE id = ? AND project_id = ? AND deleted_at IS NULL`)
          .run(nowIso(), id, projectId)
      : db.prepare(`DELETE FROM ${this.name} WHERE id = ? AND project_id = ?`).run(id, projectId)
    return result.changes > 0
  }
}
