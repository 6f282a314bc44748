import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it, onTestFinished, vi} from 'vitest'

import {GroupCommit} from '../../src/relay/group-commit.js'
import {StoreHealth} from '../../src/relay/store-health.js'
import {openDb} from '../../src/store/db.js'
import type {Syncer} from '../../src/store/wal-sync.js'
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

/** A syncer the test finishes by hand: each sync() waits for release() or fail(). */
class HeldSync implements Syncer {
  calls = 0
  private pending: {resolve: () => void; reject: (e: unknown) => void} | undefined
  private current: Promise<void> | undefined
  get busy() {
    return this.current !== undefined
  }
  sync() {
    this.calls++
    this.current ??= new Promise<void>((resolve, reject) => (this.pending = {resolve, reject})).finally(
      () => (this.current = undefined),
    )
    return this.current
  }
  idle() {
    return this.current ? this.current.then(noop, noop) : Promise.resolve()
  }
  release() {
    this.pending?.resolve()
  }
  fail(error: Error) {
    this.pending?.reject(error)
  }
  async close() {}
}
const noop = () => undefined

describe('group commit: durability off the event loop', () => {
  it('a durable write is answered only once the WAL sync is done; a claim-like write once committed', async () => {
    const db = tempStore()
    const syncer = new HeldSync()
    const writer = new GroupCommit(db, undefined, syncer)
    let durableAnswered = false
    const durable = writer.run(() => setMeta(db, 'ack', '1')).then(() => (durableAnswered = true))
    await writer.run(() => setMeta(db, 'claim', '1'), {durable: false})
    // Both committed in one batch: visible to reads; only the sync is outstanding.
    expect([getMeta(db, 'ack'), getMeta(db, 'claim')]).toEqual(['1', '1'])
    expect(syncer.calls).toBe(1)
    expect(durableAnswered).toBe(false)
    syncer.release()
    await durable
    expect(durableAnswered).toBe(true)
  })

  it('commits with synchronous=NORMAL and syncs itself; every other write keeps FULL', async () => {
    const db = tempStore()
    const writer = new GroupCommit(db)
    const FULL = 2
    const NORMAL = 1
    expect(db.pragma('synchronous', {simple: true})).toBe(FULL)
    expect(db.pragma('journal_mode', {simple: true})).toBe('wal')
    const inside = await writer.run(() => db.pragma('synchronous', {simple: true}))
    expect(inside).toBe(NORMAL)
    expect(db.pragma('synchronous', {simple: true})).toBe(FULL)
    // A failing job does not leave the connection at NORMAL either.
    await expect(
      writer.run(() => {
        throw new Error('bad job')
      }),
    ).rejects.toThrow('bad job')
    expect(db.pragma('synchronous', {simple: true})).toBe(FULL)
    await writer.close()
  })

  it('while a sync runs the next batch waits and grows, then commits once', async () => {
    const db = tempStore()
    const syncer = new HeldSync()
    const writer = new GroupCommit(db, undefined, syncer)
    const first = writer.run(() => setMeta(db, 'a', '1'))
    await writer.run(() => undefined, {durable: false}).catch(noop)
    expect(syncer.calls).toBe(1)
    const later = [writer.run(() => setMeta(db, 'b', '2')), writer.run(() => setMeta(db, 'c', '3'))]
    await new Promise((resolve) => setImmediate(resolve))
    // Held back behind the running sync: not committed yet.
    expect(getMeta(db, 'b')).toBeUndefined()
    syncer.release()
    await first
    await vi.waitFor(() => expect(syncer.calls).toBe(2))
    expect([getMeta(db, 'b'), getMeta(db, 'c')]).toEqual(['2', '3'])
    syncer.release()
    await Promise.all(later)
  })

  it('writes held back behind a sync when the store closes are refused, not written to a closed store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-gc-'))
    onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
    const db = openDb(dir)
    const syncer = new HeldSync()
    const writer = new GroupCommit(db, undefined, syncer)
    const first = writer.run(() => setMeta(db, 'a', '1'))
    await vi.waitFor(() => expect(syncer.calls).toBe(1))
    const held = writer.run(() => setMeta(db, 'b', '2'))
    db.close()
    syncer.release()
    await first
    await expect(held).rejects.toThrow('the store is closed')
  })

  it('a failed sync: durable callers are refused (not acknowledged) and the store is reported failing', async () => {
    const db = tempStore()
    const health = new StoreHealth({log: () => undefined})
    const syncer = new HeldSync()
    const writer = new GroupCommit(db, health, syncer)
    const durable = writer.run(() => setMeta(db, 'x', '1'))
    await vi.waitFor(() => expect(syncer.calls).toBe(1))
    syncer.fail(Object.assign(new Error('syncing the store to disk failed: EIO'), {code: 'SQLITE_IOERR_FSYNC'}))
    await expect(durable).rejects.toThrow('EIO')
    expect(health.snapshot()).toMatchObject({status: 'failing'})
    health.close()
  })

  it('the real WAL sync resolves, and what it covered is in the database file after a checkpoint', async () => {
    const db = tempStore()
    const writer = new GroupCommit(db)
    await Promise.all([writer.run(() => setMeta(db, 'one', '1')), writer.run(() => setMeta(db, 'two', '2'))])
    await writer.run(() => setMeta(db, 'three', '3'))
    expect(db.pragma('wal_checkpoint(TRUNCATE)')).toEqual([{busy: 0, log: 0, checkpointed: 0}])
    expect([getMeta(db, 'one'), getMeta(db, 'two'), getMeta(db, 'three')]).toEqual(['1', '2', '3'])
    await writer.close()
  })
})
