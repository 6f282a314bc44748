import {describe, expect, it} from 'vitest'

import {startDeliveryRelay} from '../helpers/delivery.js'

describe('store durability settings', () => {
  it("the relay's connection commits with a full fsync in WAL mode, foreign keys on", async () => {
    const r = await startDeliveryRelay()
    const pragma = (name: string) => r.relay.db.pragma(name, {simple: true})
    // synchronous FULL (2): a commit is on disk before a webhook is acknowledged; NORMAL (1)
    // or OFF (0) would lose acknowledged events when the machine (not the process) dies.
    expect(pragma('synchronous')).toBe(2)
    expect(pragma('journal_mode')).toBe('wal')
    expect(pragma('foreign_keys')).toBe(1)
  })
})
