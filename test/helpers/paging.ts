import {expect} from 'vitest'

import {qs, type Api} from './relay.js'

export interface Walk {
  /** Page contents (uids) walking forwards from the first page. */
  forward: string[][]
  /** Page contents walking backwards from the last page, in the order visited. */
  backward: string[][]
}

interface PageJson {
  content: {uid: string}[]
  pagination: {
    per_page: number
    has_next_page: boolean
    has_prev_page: boolean
    next_page_cursor: string
    prev_page_cursor: string
  }
}

/**
 * Walk a Convoy list with keyset cursors: forwards with `direction=next&next_page_cursor`
 * to the end, then backwards with `direction=prev&prev_page_cursor` to the start, checking
 * each page's flags and cursors on the way.
 */
export async function walkPages(
  api: Api,
  path: string,
  opts: {perPage: number; sort?: 'ASC' | 'DESC'; query?: Record<string, string>},
): Promise<Walk> {
  const base = {...opts.query, perPage: opts.perPage, sort: opts.sort}
  const get = async (params: Record<string, string | number | undefined>): Promise<PageJson> => {
    const res = await api('GET', path + qs({...base, ...params}))
    expect(res.status, JSON.stringify(res.json)).toBe(200)
    const page = res.json.data as PageJson
    expect(page.pagination.per_page).toBe(opts.perPage)
    expect(page.content.length).toBeLessThanOrEqual(opts.perPage)
    const ids = page.content.map((x) => x.uid)
    // Cursors are the edges of the page shown, and empty when there is nothing beyond.
    expect(page.pagination.next_page_cursor).toBe(page.pagination.has_next_page ? ids.at(-1) : '')
    expect(page.pagination.prev_page_cursor).toBe(page.pagination.has_prev_page ? ids[0] : '')
    return page
  }

  const forward: string[][] = []
  let page = await get({})
  expect(page.pagination.has_prev_page).toBe(false)
  forward.push(page.content.map((x) => x.uid))
  while (page.pagination.has_next_page) {
    expect(forward.length, 'runaway forward walk').toBeLessThan(1000)
    page = await get({direction: 'next', next_page_cursor: page.pagination.next_page_cursor})
    expect(page.pagination.has_prev_page).toBe(true)
    expect(page.content.length).toBeGreaterThan(0)
    forward.push(page.content.map((x) => x.uid))
  }

  const backward: string[][] = [forward.at(-1)!]
  while (page.pagination.has_prev_page) {
    expect(backward.length, 'runaway backward walk').toBeLessThan(1000)
    page = await get({direction: 'prev', prev_page_cursor: page.pagination.prev_page_cursor})
    expect(page.pagination.has_next_page).toBe(true)
    expect(page.content.length).toBeGreaterThan(0)
    backward.push(page.content.map((x) => x.uid))
  }
  return {forward, backward}
}

/**
 * The checks a complete walk over `expected` (ids in ascending creation order) must pass:
 * every id exactly once, in sort order, full pages except the last, and the backward walk
 * retracing the same pages.
 */
export function expectCompleteWalk(walk: Walk, expected: string[], perPage: number, sort: 'ASC' | 'DESC'): void {
  const ordered = sort === 'ASC' ? [...expected] : [...expected].reverse()
  const seen = walk.forward.flat()
  expect(new Set(seen).size, 'no duplicates').toBe(seen.length)
  expect(seen, 'no gaps, in sort order').toEqual(ordered)
  expect(walk.forward.length).toBe(Math.max(1, Math.ceil(expected.length / perPage)))
  for (const p of walk.forward.slice(0, -1)) expect(p.length).toBe(perPage)
  expect(walk.backward, 'the backward walk retraces the forward pages').toEqual([...walk.forward].reverse())
}
