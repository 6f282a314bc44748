import Database from 'better-sqlite3'
import {describe, expect, it} from 'vitest'

import {HttpError, httpErrorFor, storeCondition, storeUnavailableCode} from '../../src/errors.js'

const sqliteError = (code: string) => Object.assign(new Error(code), {code})

describe('store error codes, mapped in one place', () => {
  it('conditions that clear by themselves answer 503 with Retry-After', () => {
    for (const code of [
      'SQLITE_FULL',
      'SQLITE_BUSY',
      'SQLITE_BUSY_SNAPSHOT',
      'SQLITE_IOERR_WRITE',
      'SQLITE_IOERR',
      'SQLITE_READONLY',
      'SQLITE_LOCKED',
    ]) {
      const mapped = httpErrorFor(sqliteError(code))
      expect(mapped?.status, code).toBe(503)
      expect(mapped?.retryAfter, code).toBe(5)
      expect(mapped?.message, code).toContain(code)
    }
    expect(storeCondition('SQLITE_IOERR_WRITE')).toBe('SQLITE_IOERR')
    expect(httpErrorFor(sqliteError('SQLITE_IOERR_FSYNC'))?.message).toMatch(
      /^store unavailable: the store hit an I\/O error/,
    )
  })

  it('bugs and bad data are not store conditions', () => {
    for (const code of ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_ERROR', 'SQLITE_MISMATCH', 'ERR_INVALID_ARG_TYPE'])
      expect(storeUnavailableCode(sqliteError(code)), code).toBeUndefined()
    expect(httpErrorFor(new Error('boom'))).toBeUndefined()
    const known = new HttpError(404, 'x not found')
    expect(httpErrorFor(known)).toBe(known)
  })

  it('reads the code better-sqlite3 really throws', () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)')
    db.pragma('max_page_count = 2')
    let thrown: unknown
    try {
      db.prepare(
        'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) INSERT INTO t (id) SELECT i FROM n',
      ).run()
    } catch (error) {
      thrown = error
    }
    db.close()
    expect(storeUnavailableCode(thrown)).toBe('SQLITE_FULL')
  })
})
