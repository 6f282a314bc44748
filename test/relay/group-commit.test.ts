import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it, onTestFinished} from 'vitest'

import {GroupCommit} from '../../src/relay/group-commit.js'
import {StoreHealth} from '../../src/relay/store-health.js'
import {openDb} from '../../src/store/db.js'
import {getMeta, setMeta} from '../../src/store/projects.js'
import {fillStore} from '../helpers/store-trouble.js'

function tempStore() {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-gc-'))
  const db = openDb(dir)
  onTestFinished(() => {
    db.close()
    rmSync(dir, {recursive: true, force: true})
  })
  return db
}

describe('group commit', () => {
  it('a store condition in one job fails the whole batch: nothing of it is durable, every caller is told', async () => {
    const db = tempStore()
    const logs: string[] = []
    const health = new StoreHealth({log: (l) => logs.push(l)})
    const writer = new GroupCommit(db, health)
    db.pragma('wal_checkpoint(TRUNCATE)')
    const full = fillStore(db)
    const results = await Promise.allSettled([
      writer.run(() => setMeta(db, 'small-before', 'a')),
      writer.run(() => setMeta(db, 'big', 'z'.repeat(100_000))),
      writer.run(() => setMeta(db, 'small-after', 'b')),
    ])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected'])
    for (const r of results) expect((r as PromiseRejectedResult).reason.code).toBe('SQLITE_FULL')
    expect([getMeta(db, 'small-before'), getMeta(db, 'big'), getMeta(db, 'small-after')]).toEqual([
      undefined,
      undefined,
      undefined,
    ])
    expect(health.snapshot()).toMatchObject({status: 'failing', code: 'SQLITE_FULL'})

    full.release()
    await writer.run(() => setMeta(db, 'big', 'z'.repeat(100_000)))
    expect(getMeta(db, 'big')).toHaveLength(100_000)
    expect(health.snapshot()).toEqual({status: 'ok'})
    expect(logs).toEqual([
      expect.stringMatching(/^store: committing writes failed: the disk \(or the store\) is full \(SQLITE_FULL\)/),
      expect.stringMatching(/^store: writable again after [\d.]+s \(SQLITE_FULL\)$/),
    ])
    health.close()
  })

  it('any other error fails only its own job', async () => {
    const db = tempStore()
    const writer = new GroupCommit(db)
    const results = await Promise.allSettled([
      writer.run(() => setMeta(db, 'one', '1')),
      writer.run(() => {
        setMeta(db, 'two', '2')
        throw new Error('bad job')
      }),
      writer.run(() => setMeta(db, 'three', '3')),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled'])
    expect([getMeta(db, 'one'), getMeta(db, 'two'), getMeta(db, 'three')]).toEqual(['1', undefined, '3'])
  })
})
