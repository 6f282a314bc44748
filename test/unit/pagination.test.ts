import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {describe, expect, it, onTestFinished} from 'vitest'

import {pageQuery} from '../../src/api/context.js'
import {openDb, type Db} from '../../src/store/db.js'
import {MAX_PER_PAGE, paginate, type Page, type PageQuery} from '../../src/store/paginate.js'
import {ulid} from '../../src/util/ulid.js'

interface Item {
  id: string
  grp: string
}

/** A real store in a temp dir, with a plain table to page over; removed after the test. */
async function useStore(): Promise<Db> {
  const dir = await mkdtemp(join(tmpdir(), 'caravan-paginate-'))
  const db = openDb(dir)
  onTestFinished(async () => {
    db.close()
    await rm(dir, {recursive: true, force: true})
  })
  db.exec('CREATE TABLE items (id TEXT PRIMARY KEY, grp TEXT NOT NULL)')
  return db
}

/** Insert `n` items (ids ascending in creation order); `group(i)` picks each one's group. */
function insert(db: Db, n: number, group: (i: number) => string = () => 'a'): string[] {
  const stmt = db.prepare('INSERT INTO items (id, grp) VALUES (?, ?)')
  const ids: string[] = []
  for (let i = 0; i < n; i++) {
    const id = ulid()
    stmt.run(id, group(i))
    ids.push(id)
  }
  return ids
}

type Spec = {where?: string[]; params?: unknown[]}

function page(db: Db, query: Partial<PageQuery>, spec: Spec = {}): Page<Item> {
  return paginate<Item>(
    db,
    {table: 'items', where: spec.where ?? [], params: spec.params ?? []},
    {perPage: 10, direction: 'next', sort: 'DESC', ...query},
  )
}

const ids = (p: Page<Item>) => p.content.map((x) => x.id)

/** Every page from the first, following next cursors. */
function walkForward(db: Db, query: Partial<PageQuery>, spec: Spec = {}): Page<Item>[] {
  const pages = [page(db, query, spec)]
  while (pages.at(-1)!.pagination.has_next_page) {
    if (pages.length > 100) throw new Error('runaway walk')
    pages.push(page(db, {...query, direction: 'next', cursor: pages.at(-1)!.pagination.next_page_cursor}, spec))
  }
  return pages
}

/** Every page from `last` back to the first, following prev cursors. */
function walkBackward(db: Db, last: Page<Item>, query: Partial<PageQuery>, spec: Spec = {}): Page<Item>[] {
  const pages = [last]
  while (pages.at(-1)!.pagination.has_prev_page) {
    if (pages.length > 100) throw new Error('runaway walk')
    pages.push(page(db, {...query, direction: 'prev', cursor: pages.at(-1)!.pagination.prev_page_cursor}, spec))
  }
  return pages
}

describe('paginate', () => {
  it('returns an empty page with no cursors for an empty table', async () => {
    const db = await useStore()
    expect(page(db, {})).toEqual({
      content: [],
      pagination: {
        per_page: 10,
        has_next_page: false,
        has_prev_page: false,
        next_page_cursor: '',
        prev_page_cursor: '',
      },
    })
    expect(page(db, {direction: 'prev', cursor: ulid()}).content).toEqual([])
  })

  it('fits fewer or exactly perPage rows on one page, newest first by default', async () => {
    const db = await useStore()
    const made = insert(db, 10)
    const one = page(db, {})
    expect(ids(one)).toEqual([...made].reverse())
    // The extra row probe: exactly perPage rows is one page, not a page and an empty one.
    expect(one.pagination).toEqual({
      per_page: 10,
      has_next_page: false,
      has_prev_page: false,
      next_page_cursor: '',
      prev_page_cursor: '',
    })
    expect(ids(page(db, {perPage: 50, sort: 'ASC'}))).toEqual(made)
  })

  for (const sort of ['DESC', 'ASC'] as const) {
    it(`walks 45 rows forwards and back (${sort}) with no duplicates or gaps`, async () => {
      const db = await useStore()
      const made = insert(db, 45)
      const ordered = sort === 'ASC' ? made : [...made].reverse()

      const forward = walkForward(db, {sort})
      expect(forward.map((p) => p.content.length)).toEqual([10, 10, 10, 10, 5])
      expect(forward.flatMap(ids)).toEqual(ordered)
      forward.forEach((p, i) => {
        expect(p.pagination.has_prev_page).toBe(i > 0)
        expect(p.pagination.has_next_page).toBe(i < forward.length - 1)
        expect(p.pagination.next_page_cursor).toBe(i < forward.length - 1 ? ids(p).at(-1) : '')
        expect(p.pagination.prev_page_cursor).toBe(i > 0 ? ids(p)[0] : '')
      })

      const backward = walkBackward(db, forward.at(-1)!, {sort})
      expect(backward.map(ids)).toEqual(forward.map(ids).reverse())
      backward.forEach((p, i) => {
        expect(p.pagination.has_next_page).toBe(i > 0)
        expect(p.pagination.has_prev_page).toBe(i < backward.length - 1)
      })
    })
  }

  it('pages back from a cursor to exactly the rows before it, in sort order', async () => {
    const db = await useStore()
    const made = insert(db, 25)
    // DESC order is made[24] … made[0]; the 10 rows before made[9] are made[19] … made[10].
    const prev = page(db, {direction: 'prev', cursor: made[9]})
    expect(ids(prev)).toEqual(made.slice(10, 20).reverse())
    expect(prev.pagination).toMatchObject({
      has_prev_page: true,
      has_next_page: true,
      prev_page_cursor: made[19],
      next_page_cursor: made[10],
    })
    // Fewer than perPage rows before the cursor: a short first page with nothing before it.
    const short = page(db, {direction: 'prev', cursor: made[20], sort: 'ASC'})
    expect(ids(short)).toEqual(made.slice(10, 20))
    const head = page(db, {direction: 'prev', cursor: made[3], sort: 'ASC'})
    expect(ids(head)).toEqual(made.slice(0, 3))
    expect(head.pagination).toMatchObject({
      has_prev_page: false,
      prev_page_cursor: '',
      has_next_page: true,
      next_page_cursor: made[2],
    })
  })

  it('applies the where clause to the rows and to the has-more probes', async () => {
    const db = await useStore()
    // a, b, a, b, … then a run of b at the end: the last `a` page must not claim a next page.
    const made = insert(db, 40, (i) => (i < 30 && i % 2 === 0 ? 'a' : 'b'))
    const as = made.filter((_, i) => i < 30 && i % 2 === 0)
    const spec = {where: ['grp = ?'], params: ['a']}
    for (const sort of ['ASC', 'DESC'] as const) {
      const forward = walkForward(db, {sort, perPage: 5}, spec)
      expect(forward.flatMap(ids)).toEqual(sort === 'ASC' ? as : [...as].reverse())
      expect(forward.map((p) => p.content.length)).toEqual([5, 5, 5])
      expect(forward.at(-1)!.pagination.has_next_page).toBe(false)
      const backward = walkBackward(db, forward.at(-1)!, {sort, perPage: 5}, spec)
      expect(backward.map(ids)).toEqual(forward.map(ids).reverse())
      expect(backward.at(-1)!.pagination.has_prev_page).toBe(false)
    }
  })

  it('keeps working when the cursor row is deleted, and is not shifted by new rows', async () => {
    const db = await useStore()
    const made = insert(db, 30)
    const first = page(db, {})
    // The cursor row goes away: the next page still starts right after where it was.
    db.prepare('DELETE FROM items WHERE id = ?').run(first.pagination.next_page_cursor)
    const second = page(db, {cursor: first.pagination.next_page_cursor})
    expect(ids(second)).toEqual(made.slice(10, 20).reverse())

    // Newer rows arrive: later pages do not shift (no duplicates), and going back from the
    // second page shows the old first page, now with newer rows before it.
    const newer = insert(db, 3)
    const third = page(db, {cursor: second.pagination.next_page_cursor})
    expect(ids(third)).toEqual(made.slice(0, 10).reverse())
    const back = page(db, {direction: 'prev', cursor: second.pagination.prev_page_cursor})
    // made[20] was deleted: the 10 rows before made[19] are made[21..29] and the first new row.
    expect(ids(back)).toEqual([newer[0], ...made.slice(21, 30).reverse()])
    expect(back.pagination.has_prev_page).toBe(true)
    const top = walkBackward(db, back, {})
    expect(top.map(ids)).toEqual([ids(back), [newer[2], newer[1]]])
  })
})

describe('pageQuery (the API’s reading of pagination parameters)', () => {
  const q = (query: string) => pageQuery(new URLSearchParams(query))

  it('defaults to 20 per page, newest first, forwards', () => {
    expect(q('')).toEqual({perPage: 20, cursor: undefined, direction: 'next', sort: 'DESC'})
  })

  it('reads perPage (or per_page), sort in any case, and clamps huge pages', () => {
    expect(q('perPage=5&sort=asc')).toMatchObject({perPage: 5, sort: 'ASC'})
    expect(q('per_page=7')).toMatchObject({perPage: 7})
    expect(q(`perPage=${MAX_PER_PAGE * 10}`)).toMatchObject({perPage: MAX_PER_PAGE})
  })

  it('takes the cursor that matches the direction', () => {
    expect(q('direction=next&next_page_cursor=N&prev_page_cursor=P')).toMatchObject({direction: 'next', cursor: 'N'})
    expect(q('direction=prev&next_page_cursor=N&prev_page_cursor=P')).toMatchObject({direction: 'prev', cursor: 'P'})
    // With no direction, a lone prev cursor means going back.
    expect(q('prev_page_cursor=P')).toMatchObject({direction: 'prev', cursor: 'P'})
    expect(q('next_page_cursor=N')).toMatchObject({direction: 'next', cursor: 'N'})
  })

  it('rejects bad values with a 400 naming the parameter', () => {
    for (const [query, message] of [
      ['perPage=0', /^perPage must be a positive integer/],
      ['perPage=2.5', /^perPage must be a positive integer/],
      ['sort=random', /^sort must be ASC or DESC/],
      ['direction=sideways', /^direction must be next or prev/],
    ] as const) {
      expect(() => q(query), query).toThrow(
        expect.objectContaining({status: 400, message: expect.stringMatching(message)}),
      )
    }
  })
})
