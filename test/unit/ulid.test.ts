import {describe, expect, it} from 'vitest'

import {isUlid, ulid, ulidCeil, ulidFloor} from '../../src/util/ulid.js'

describe('ulid', () => {
  it('is strictly increasing and unique, in one millisecond and across many, past the random pool', () => {
    const ids: string[] = []
    // 2,000 ids: several refills of the 4 KiB pool of random bytes (16 per new millisecond).
    for (let ms = 1_700_000_000_000; ids.length < 2000; ms += ids.length % 3 === 0 ? 1 : 0) ids.push(ulid(ms))
    expect(ids.every(isUlid)).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...ids].sort()).toEqual(ids)
    expect(ids[0] >= ulidFloor(1_700_000_000_000) && ids[0] <= ulidCeil(1_700_000_000_000)).toBe(true)
  })

  it('draws fresh random digits for each new millisecond', () => {
    const randomPart = (ms: number) => ulid(ms).slice(10)
    const parts = new Set(Array.from({length: 300}, (_, i) => randomPart(1_800_000_000_000 + i)))
    expect(parts.size).toBe(300)
  })

  it('bounds of instants before 1970 or past the last ULID time stay valid ULIDs at the ends', () => {
    expect(ulidFloor(Date.parse('1900-01-01T00:00:00Z'))).toBe('0'.repeat(26))
    expect(ulidCeil(-1)).toBe('0'.repeat(10) + 'Z'.repeat(16))
    expect(ulidCeil(8.64e15)).toBe('7' + 'Z'.repeat(25))
    expect([ulidFloor(-5), ulidCeil(8.64e15), ulidFloor(1_800_000_000_000.7)].every(isUlid)).toBe(true)
    expect(ulidFloor(1_800_000_000_000.7)).toBe(ulidFloor(1_800_000_000_000))
  })
})
