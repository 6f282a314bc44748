import {describe, expect, it} from 'vitest'

import {progressBar} from '../../src/cli/progress.js'
import {parseEndpointFile} from '../../src/onboarding/endpoint-file.js'

describe('endpoint import files', () => {
  it('reads CSV with quoted commas, quotes and newlines, keeping each row’s line', () => {
    const csv =
      'name,url,event_type\r\n"Acme, Inc",https://a.example/h,invoice.*\n\n"say ""hi""\nthere",https://b.example,\nc,https://c.example,x\n'
    expect(parseEndpointFile(csv, 'in.csv')).toEqual([
      {line: 2, item: {name: 'Acme, Inc', url: 'https://a.example/h', event_type: 'invoice.*'}},
      {line: 4, item: {name: 'say "hi"\nthere', url: 'https://b.example'}},
      {line: 6, item: {name: 'c', url: 'https://c.example', event_type: 'x'}},
    ])
  })

  it('reads NDJSON by extension or content, and names the bad line', () => {
    expect(parseEndpointFile('{"name":"a","url":"https://a"}\n\n{"name":"b","url":"https://b"}', 'x.txt')).toEqual([
      {line: 1, item: {name: 'a', url: 'https://a'}},
      {line: 3, item: {name: 'b', url: 'https://b'}},
    ])
    expect(() => parseEndpointFile('{"name":"a"}\n{nope', 'e.ndjson')).toThrow(/e\.ndjson line 2 is not JSON/)
  })

  it('refuses a CSV without a usable header, and an unclosed quote', () => {
    expect(() => parseEndpointFile('title,link\nx,y', 'a.csv')).toThrow(
      /header must name the columns .*unknown: title, link/,
    )
    expect(() => parseEndpointFile('name,url\n"x,y', 'a.csv')).toThrow(/CSV line 2: a quoted field is never closed/)
  })

  it('draws a progress bar in place', () => {
    let out = ''
    const bar = progressBar({write: (s: string) => (out += s)} as unknown as NodeJS.WriteStream, 'Importing', 10)
    bar.update(5, 10)
    bar.update(10, 10)
    bar.done()
    expect(out).toBe('\rImporting [#####.....] 5/10\rImporting [##########] 10/10\n')
  })
})
