import {describe, expect, it} from 'vitest'

import {JSON_COLORS, prettyJson} from '../../src/tui/json-view.js'

const text = (lines: ReturnType<typeof prettyJson>) => lines!.map((l) => l.map((s) => s.text).join(''))

describe('prettyJson', () => {
  it('lays JSON out exactly as JSON.stringify(v, null, 2) does', () => {
    const samples = [
      '{"a":1,"b":[1,2],"c":{}}',
      '{"nested":{"deep":{"list":[{"x":true},{"y":null}],"empty":[]}},"s":"q\\"uote"}',
      '[]',
      '{}',
      '[[],[[]],{}]',
      '  {\n  "spaced" :  [ 1 ,\t2 ] ,"e": -1.5 }  ',
      '"just a string"',
      '42',
      'null',
      '[{"a":[{"b":{}}]}]',
    ]
    for (const sample of samples)
      expect(text(prettyJson(sample)), sample).toEqual(JSON.stringify(JSON.parse(sample), null, 2).split('\n'))
  })

  it('shows what was sent: big numbers keep their digits, escapes and duplicate keys stay', () => {
    expect(text(prettyJson('{"id":12345678901234567890,"e":1.5e+3,"n":"\\u00e9","k":1,"k":2}'))).toEqual([
      '{',
      '  "id": 12345678901234567890,',
      '  "e": 1.5e+3,',
      '  "n": "\\u00e9",',
      '  "k": 1,',
      '  "k": 2',
      '}',
    ])
  })

  it('colours keys, strings, numbers and literals', () => {
    const [, first, second] = prettyJson('{"name":"a","n":1,"ok":true}')!
    expect(first).toEqual([
      {text: '  '},
      {text: '"name"', color: JSON_COLORS.key},
      {text: ': '},
      {text: '"a"', color: JSON_COLORS.string},
      {text: ','},
    ])
    expect(second.find((s) => s.text === '1')?.color).toBe(JSON_COLORS.number)
    expect(prettyJson('[true,null]')![1].find((s) => s.text === 'true')?.color).toBe(JSON_COLORS.literal)
  })

  it('is null for text that is not JSON', () => {
    expect(prettyJson('')).toBeNull()
    expect(prettyJson('hello')).toBeNull()
    expect(prettyJson('{"a": undefined}')).toBeNull()
  })
})
