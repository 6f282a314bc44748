import {createHash} from 'node:crypto'

import type {Db} from '../../src/store/db.js'

function tableNames(db: Db): string[] {
  return (
    db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
      .all() as {name: string}[]
  ).map((t) => t.name)
}

/**
 * A digest per table of every row's bytes (rowid order), for stores too big to snapshot
 * as text on every request: equal digests mean equal content.
 */
export function storeDigest(db: Db): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of tableNames(db)) {
    const hash = createHash('sha256')
    const rows = db
      .prepare(`SELECT * FROM "${name.replaceAll('"', '""')}" ORDER BY rowid`)
      .raw()
      .iterate() as Iterable<unknown[]>
    for (const row of rows) {
      for (const v of row) {
        if (Buffer.isBuffer(v)) hash.update('b').update(String(v.length)).update(v)
        else hash.update(typeof v === 'string' ? `s${v.length}:${v}` : `v${String(v)}`)
        hash.update('|')
      }
      hash.update('\n')
    }
    out[name] = hash.digest('hex')
  }
  return out
}

/**
 * The store's logical content: every table's rows in rowid order, blobs as hex, plus the
 * schema version. Two equal snapshots mean no request changed a single stored byte.
 */
export function storeSnapshot(db: Db): string {
  const out: Record<string, unknown> = {user_version: db.pragma('user_version', {simple: true})}
  for (const name of tableNames(db)) {
    const quoted = `"${name.replaceAll('"', '""')}"`
    let rows: Record<string, unknown>[]
    try {
      rows = db.prepare(`SELECT rowid AS __rowid, * FROM ${quoted} ORDER BY rowid`).all() as Record<string, unknown>[]
    } catch {
      // WITHOUT ROWID tables: every column, in full-row order.
      rows = db.prepare(`SELECT * FROM ${quoted} ORDER BY 1`).all() as Record<string, unknown>[]
    }
    out[name] = rows.map((row) =>
      Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? `hex:${v.toString('hex')}` : v])),
    )
  }
  return JSON.stringify(out)
}

/** The first difference between two snapshots, short enough for a failure message. */
export function snapshotDiff(before: string, after: string): string {
  if (before === after) return ''
  const a = JSON.parse(before) as Record<string, unknown>
  const b = JSON.parse(after) as Record<string, unknown>
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = JSON.stringify(a[table])
    const y = JSON.stringify(b[table])
    if (x === y) continue
    let i = 0
    while (i < x.length && x[i] === y[i]) i++
    return `${table}: …${x.slice(Math.max(0, i - 80), i + 120)}… became …${y.slice(Math.max(0, i - 80), i + 120)}…`
  }
  return 'snapshots differ'
}
