import {describe, expect, it} from 'vitest'

import {isRun, type KeyPress, NO_KEY, takeKey} from '../../src/tui/keys.js'

const plain = NO_KEY

/** Every key a run `input` (one read from the terminal) comes apart into, as the inspector takes them. */
function keys(input: string, typing: (taken: number) => boolean = () => false): KeyPress[] {
  const out: KeyPress[] = []
  let rest = input
  while (rest) {
    const taken = takeKey(rest, typing(out.length))
    out.push(taken.next)
    rest = taken.rest
  }
  return out
}

const inputs = (list: KeyPress[]) => list.map((k) => k.input)

describe('nextKey', () => {
  it('takes apart only runs of characters, never a key ink parsed itself', () => {
    expect(isRun({input: 'kk', key: plain})).toBe(true)
    expect(isRun({input: '/type:x\r', key: plain})).toBe(true)
    expect(isRun({input: 'j', key: plain})).toBe(false)
    expect(isRun({input: '🚀', key: plain})).toBe(false)
    expect(isRun({input: '', key: {...plain, upArrow: true}})).toBe(false)
    expect(isRun({input: 'c', key: {...plain, ctrl: true}})).toBe(false)
    expect(isRun({input: 'xy', key: {...plain, meta: true}})).toBe(false)
    expect(isRun({input: '\u001B[A', key: plain})).toBe(false)
  })

  it('takes a run of command keys one at a time', () => {
    expect(inputs(keys('kkj'))).toEqual(['k', 'k', 'j'])
    const [g, G] = keys('gG')
    expect(g).toEqual({input: 'g', key: plain})
    expect(G).toEqual({input: 'G', key: {...plain, shift: true}})
  })

  it('turns enter, backspace, tab and ctrl chords inside a run into those keys', () => {
    const list = keys('k\rd\u007F\t\u0003')
    expect(list[0]).toEqual({input: 'k', key: plain})
    expect(list[1]).toEqual({input: '', key: {...plain, return: true}})
    expect(list[2]).toEqual({input: 'd', key: plain})
    expect(list[3]).toEqual({input: '', key: {...plain, backspace: true}})
    expect(list[4]).toEqual({input: '', key: {...plain, tab: true}})
    expect(list[5]).toEqual({input: 'c', key: {...plain, ctrl: true}})
    expect(keys('\n\b').map((k) => [k.key.return, k.key.backspace])).toEqual([
      [true, false],
      [false, true],
    ])
  })

  it('while typing, keeps the text of a run together up to enter', () => {
    // `/` opens the filter bar; what follows in the same read is typed into it, then applied.
    const list = keys('/type:invoice.*\rj', (taken) => taken >= 1 && taken < 2)
    expect(inputs(list)).toEqual(['/', 'type:invoice.*', '', 'j'])
    expect(list[2].key.return).toBe(true)
  })

  it('never splits a character outside the basic plane', () => {
    expect(inputs(keys('🚀j'))).toEqual(['🚀', 'j'])
    expect(inputs(keys('a🚀b\r', () => true))).toEqual(['a🚀b', ''])
  })
})
