import {describe, expect, it} from 'vitest'

import {pruneCutoff} from '../../src/retention/cutoff.js'
import {formatRetention, parseRetention} from '../../src/retention/duration.js'
import {retentionFor} from '../../src/retention/scheduler.js'

describe('parseRetention', () => {
  it.each([
    ['30d', 30 * 86_400_000],
    ['720h', 720 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['2w', 14 * 86_400_000],
    ['1.5h', 90 * 60_000],
    ['45s', 45_000],
  ])('%s', (text, ms) => {
    expect(parseRetention(text)).toBe(ms)
  })

  it.each(['', '30', 'forever', '30 days', '-1d', '1d junk', '0d', '500ms'])('refuses "%s"', (text) => {
    expect(() => parseRetention(text)).toThrow(/is not a duration|is too short/)
  })

  it('formats back to the largest whole unit', () => {
    expect(formatRetention(30 * 86_400_000)).toBe('30d')
    expect(formatRetention(90 * 60_000)).toBe('90m')
  })
})

describe('retentionFor (project policy over the server default)', () => {
  it('a project policy wins; none or "" falls back to the server; no server default keeps all', () => {
    expect(retentionFor('1h', 30 * 86_400_000)).toBe(3_600_000)
    expect(retentionFor('', 30 * 86_400_000)).toBe(30 * 86_400_000)
    expect(retentionFor(undefined, null)).toBeNull()
  })
})

describe('pruneCutoff (the CLI --before value)', () => {
  it('sends an age as older_than and a date as an ISO before (UTC without a zone)', () => {
    expect(pruneCutoff('30d')).toEqual({older_than: '30d'})
    expect(pruneCutoff('2026-11-01')).toEqual({before: '2026-11-01T00:00:00.000Z'})
    expect(pruneCutoff('2026-11-01T15:04')).toEqual({before: '2026-11-01T15:04:00.000Z'})
    expect(pruneCutoff('2026-11-01T15:04:05+02:00')).toEqual({before: '2026-11-01T13:04:05.000Z'})
    expect(() => pruneCutoff('last tuesday')).toThrow(/is neither a date .* nor an age/)
    expect(() => pruneCutoff('30x')).toThrow(/is not a duration/)
  })
})
