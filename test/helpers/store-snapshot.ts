import type {Db} from '../../src/store/db.js'

/**
 * Every row of every table, as comparable text: a request the relay rejects must leave this
 * identical (issue 10: validate first, write after).
 */
export function storeSnapshot(db: Db): string {
  const tables = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
    .pluck()
    .all() as string[]
  const dump: Record<string, unknown[]> = {}
  for (const table of tables) {
    dump[table] = db
      .prepare(`SELECT * FROM "${table}" ORDER BY rowid`)
      .all()
      .map((row) =>
        Object.fromEntries(
          Object.entries(row as Record<string, unknown>).map(([k, v]) => [
            k,
            Buffer.isBuffer(v) ? v.toString('base64') : v,
          ]),
        ),
      )
  }
  return JSON.stringify(dump)
}
