import {describe, expect, it} from 'vitest'

import {windowStart} from '../../src/tui/EventList.js'
import {displayStatus, matchesFilter, parseFilter} from '../../src/tui/filter.js'
import {bodyLines, curlCommand, osc52} from '../../src/tui/format.js'
import {hexDump} from '../../src/util/body-kind.js'
import {
  type Action,
  type InspectorState,
  MAX_EVENTS,
  effectiveSelection,
  initialState,
  reducer,
} from '../../src/tui/state.js'
import type {InspectEvent} from '../../src/tui/types.js'

// ULID-like ids that sort in creation order, as the relay's do.
const uid = (n: number) => `01EVT${String(n).padStart(21, '0')}`

function event(n: number, over: Partial<InspectEvent> = {}): InspectEvent {
  return {
    uid: uid(n),
    event_type: 'invoice.paid',
    method: 'POST',
    url_path: '/hooks',
    url_query_params: '',
    source_id: 'src-shop',
    status: 'Success',
    is_duplicate_event: false,
    failure_reason: '',
    headers: {'content-type': ['application/json']},
    body_base64: Buffer.from(JSON.stringify({n})).toString('base64'),
    created_at: '2026-01-01T12:00:00.000Z',
    delivery_summary: {deliveries: 0, attempts: 0, response_status: null, latency_ms: null, error: ''},
    ...over,
  }
}

const events = (count: number, from = 0) => Array.from({length: count}, (_, i) => event(from + i))

const run = (actions: Action[], start: InspectorState = initialState()) => actions.reduce(reducer, start)

/** State with `count` events loaded, still following (the usual start). */
const loaded = (count: number) => run([{type: 'loaded', events: events(count)}])

describe('reducer: following the newest event', () => {
  it('starts following, on the list, connecting, with nothing loaded', () => {
    expect(initialState()).toEqual({
      events: [],
      selected: 0,
      follow: true,
      view: 'list',
      filter: '',
      editingFilter: false,
      connection: 'connecting',
      message: '',
      detailScroll: 0,
    })
  })

  it('loads events oldest first and selects the newest while following', () => {
    const shuffled = [event(2), event(0), event(1)]
    const state = run([{type: 'loaded', events: shuffled}])
    expect(state.events.map((e) => e.uid)).toEqual([uid(0), uid(1), uid(2)])
    expect(state.selected).toBe(2)
    expect(state.follow).toBe(true)
  })

  it('keeps the newest selected as live events arrive while following', () => {
    const state = run(
      [
        {type: 'event', event: event(10)},
        {type: 'event', event: event(11)},
      ],
      loaded(3),
    )
    expect(state.events.map((e) => e.uid).slice(-2)).toEqual([uid(10), uid(11)])
    expect(effectiveSelection(state, state.events.length)).toBe(4)
  })

  it('moving up stops following and keeps the selection put as new events arrive', () => {
    const paused = run([{type: 'move', delta: -1, visible: 5}], loaded(5))
    expect(paused).toMatchObject({selected: 3, follow: false})
    const later = run(
      [
        {type: 'event', event: event(20)},
        {type: 'event', event: event(21)},
      ],
      paused,
    )
    expect(later.follow).toBe(false)
    expect(effectiveSelection(later, later.events.length)).toBe(3)
    expect(later.events[3].uid).toBe(uid(3))
  })

  it('moving down onto the last event resumes following', () => {
    const paused = run([{type: 'move', delta: -2, visible: 5}], loaded(5))
    expect(paused.follow).toBe(false)
    const oneUp = reducer(paused, {type: 'move', delta: 1, visible: 5})
    expect(oneUp).toMatchObject({selected: 3, follow: false})
    expect(reducer(oneUp, {type: 'move', delta: 1, visible: 5})).toMatchObject({selected: 4, follow: true})
  })

  it('moving down past the end stays on the last event and keeps following', () => {
    expect(reducer(loaded(5), {type: 'move', delta: 3, visible: 5})).toMatchObject({selected: 4, follow: true})
  })

  it('moves relative to the newest event while following, even if `selected` is stale', () => {
    // Following with 5 visible; `selected` still says 0 from before (e.g. after a filter narrowed).
    const state: InspectorState = {...initialState(), events: events(5), selected: 0, follow: true}
    expect(reducer(state, {type: 'move', delta: -1, visible: 5})).toMatchObject({selected: 3, follow: false})
  })

  it('clamps moves to the list', () => {
    expect(reducer(loaded(5), {type: 'move', delta: -100, visible: 5})).toMatchObject({selected: 0, follow: false})
  })

  it('moving in an empty list does not stop following (events arriving later are still followed)', () => {
    const state = run([
      {type: 'move', delta: -1, visible: 0},
      {type: 'move', delta: 1, visible: 0},
    ])
    expect(state.follow).toBe(true)
    const later = run(
      [
        {type: 'event', event: event(1)},
        {type: 'event', event: event(2)},
      ],
      state,
    )
    expect(effectiveSelection(later, later.events.length)).toBe(1)
  })

  it('g jumps to the oldest and pauses; G jumps to the newest and follows', () => {
    const top = reducer(loaded(8), {type: 'jump', to: 'start', visible: 8})
    expect(top).toMatchObject({selected: 0, follow: false})
    const bottom = reducer(top, {type: 'jump', to: 'end', visible: 8})
    expect(bottom).toMatchObject({selected: 7, follow: true})
    expect(reducer(initialState(), {type: 'jump', to: 'end', visible: 0})).toMatchObject({selected: 0, follow: true})
  })

  it('f toggles following; turning it back on selects the newest', () => {
    const off = reducer(loaded(6), {type: 'toggle-follow', visible: 6})
    expect(off).toMatchObject({follow: false, selected: 5})
    const moved = reducer(off, {type: 'move', delta: -3, visible: 6})
    expect(moved.selected).toBe(2)
    expect(reducer(moved, {type: 'toggle-follow', visible: 6})).toMatchObject({follow: true, selected: 5})
  })

  it('moving resets the detail scroll', () => {
    const scrolled: InspectorState = {...loaded(3), detailScroll: 7}
    expect(reducer(scrolled, {type: 'move', delta: -1, visible: 3}).detailScroll).toBe(0)
    expect(reducer(scrolled, {type: 'jump', to: 'start', visible: 3}).detailScroll).toBe(0)
  })
})

describe('reducer: details, pinning and filters', () => {
  it('pin fixes the selection and stops following, so new events do not move an open detail', () => {
    const pinned = run([{type: 'pin', index: 4}, {type: 'open'}], loaded(5))
    expect(pinned).toMatchObject({selected: 4, follow: false, view: 'detail', detailScroll: 0})
    const later = reducer(pinned, {type: 'event', event: event(99)})
    expect(later.events[effectiveSelection(later, later.events.length)].uid).toBe(uid(4))
  })

  it('open resets the scroll; detail-scroll never goes above the top', () => {
    const state = run(
      [{type: 'open'}, {type: 'detail-scroll', delta: 5}, {type: 'detail-scroll', delta: -2}],
      loaded(2),
    )
    expect(state.detailScroll).toBe(3)
    expect(reducer(state, {type: 'detail-scroll', delta: -10}).detailScroll).toBe(0)
    expect(reducer(state, {type: 'open'}).detailScroll).toBe(0)
  })

  it('detail-scroll stops at `max`, so scrolling back up responds at once', () => {
    const state = run(
      [{type: 'open'}, ...Array.from({length: 50}, (): Action => ({type: 'detail-scroll', delta: 1, max: 12}))],
      loaded(1),
    )
    expect(state.detailScroll).toBe(12)
    expect(reducer(state, {type: 'detail-scroll', delta: -1, max: 12}).detailScroll).toBe(11)
    expect(reducer(state, {type: 'detail-scroll', delta: 30, max: 0}).detailScroll).toBe(0)
  })

  it('esc leaves the detail view, but first closes a filter being edited', () => {
    const detail = run([{type: 'open'}, {type: 'filter-edit', editing: true}], loaded(2))
    const once = reducer(detail, {type: 'back'})
    expect(once).toMatchObject({editingFilter: false, view: 'detail'})
    expect(reducer(once, {type: 'back'}).view).toBe('list')
    expect(reducer(reducer(loaded(1), {type: 'back'}), {type: 'back'}).view).toBe('list')
  })

  it('filter-edit toggles editing without touching the filter', () => {
    const state = run(
      [
        {type: 'filter-set', filter: 'type:a.*', visible: 1},
        {type: 'filter-edit', editing: true},
      ],
      loaded(3),
    )
    expect(state).toMatchObject({editingFilter: true, filter: 'type:a.*'})
    expect(reducer(state, {type: 'filter-edit', editing: false})).toMatchObject({
      editingFilter: false,
      filter: 'type:a.*',
    })
  })

  it('filter-set applies the filter and follows the newest match', () => {
    const paused = reducer(loaded(10), {type: 'jump', to: 'start', visible: 10})
    const state = reducer(paused, {type: 'filter-set', filter: 'status:Failure', visible: 3})
    expect(state).toMatchObject({filter: 'status:Failure', selected: 2, follow: true})
    expect(reducer(state, {type: 'filter-set', filter: 'nothing', visible: 0}).selected).toBe(0)
  })

  it('connection and message are stored as given', () => {
    const state = run([
      {type: 'connection', connection: 'live'},
      {type: 'message', message: 'hello'},
    ])
    expect(state).toMatchObject({connection: 'live', message: 'hello'})
    expect(reducer(state, {type: 'connection', connection: 'reconnecting'}).connection).toBe('reconnecting')
  })
})

describe('reducer: merging events and delivery updates', () => {
  it('merges a live event already loaded instead of duplicating it', () => {
    const updated = event(2, {event_type: 'invoice.updated'})
    const state = reducer(loaded(3), {type: 'event', event: updated})
    expect(state.events).toHaveLength(3)
    expect(state.events[2].event_type).toBe('invoice.updated')
  })

  it('a late initial load merges under live events already received', () => {
    const live = run([{type: 'event', event: event(50)}])
    const state = reducer(live, {type: 'loaded', events: events(3)})
    expect(state.events.map((e) => e.uid)).toEqual([uid(0), uid(1), uid(2), uid(50)])
    expect(state.selected).toBe(3)
  })

  it('a delivery update changes only its own event', () => {
    const before = loaded(3)
    const state = reducer(before, {
      type: 'delivery',
      eventId: uid(1),
      status: 'Failure',
      attempts: 2,
      responseStatus: 503,
      latencyMs: 41,
    })
    expect(state.events[1].status).toBe('Failure')
    expect(state.events[1].delivery_summary).toMatchObject({attempts: 2, response_status: 503, latency_ms: 41})
    expect(state.events[0]).toBe(before.events[0])
    expect(state.events[2]).toBe(before.events[2])
  })

  it('a delivery update without an attempt keeps the last response and latency', () => {
    const first = reducer(loaded(1), {
      type: 'delivery',
      eventId: uid(0),
      status: 'Retry',
      attempts: 1,
      responseStatus: 500,
      latencyMs: 9,
    })
    const state = reducer(first, {type: 'delivery', eventId: uid(0), status: 'Processing', attempts: 1})
    expect(state.events[0].status).toBe('Processing')
    expect(state.events[0].delivery_summary).toMatchObject({response_status: 500, latency_ms: 9})
    // null is a value (no response: connection refused), unlike undefined.
    const refused = reducer(state, {
      type: 'delivery',
      eventId: uid(0),
      status: 'Retry',
      attempts: 2,
      responseStatus: null,
      latencyMs: null,
    })
    expect(refused.events[0].delivery_summary).toMatchObject({response_status: null, latency_ms: null, attempts: 2})
  })

  it('the first delivery of an event stored with none shows its delivery status, not "Stored"', () => {
    const state = reducer(loaded(1), {
      type: 'delivery',
      eventId: uid(0),
      status: 'Success',
      attempts: 1,
      responseStatus: 200,
      latencyMs: 3,
    })
    expect(displayStatus(state.events[0])).toBe('Success')
  })

  it('ignores delivery updates for events it does not hold', () => {
    const before = loaded(2)
    const state = reducer(before, {type: 'delivery', eventId: 'not-here', status: 'Failure', attempts: 1})
    expect(state.events).toEqual(before.events)
  })

  it(`keeps at most MAX_EVENTS (${MAX_EVENTS}), dropping the oldest`, () => {
    const state = reducer(initialState(), {type: 'loaded', events: events(MAX_EVENTS + 10)})
    expect(state.events).toHaveLength(MAX_EVENTS)
    expect(state.events[0].uid).toBe(uid(10))
    expect(state.events.at(-1)!.uid).toBe(uid(MAX_EVENTS + 9))
    expect(state.selected).toBe(MAX_EVENTS - 1)
    const more = reducer(state, {type: 'event', event: event(MAX_EVENTS + 10)})
    expect(more.events).toHaveLength(MAX_EVENTS)
    expect(more.events[0].uid).toBe(uid(11))
    expect(more.events.at(-1)!.uid).toBe(uid(MAX_EVENTS + 10))
  })

  it('a paused selection stays on the same event when the oldest are trimmed', () => {
    const full = reducer(initialState(), {type: 'loaded', events: events(MAX_EVENTS)})
    const paused = reducer(full, {type: 'move', delta: -10, visible: MAX_EVENTS})
    const selectedUid = paused.events[paused.selected].uid
    const later = run(
      [
        {type: 'event', event: event(MAX_EVENTS)},
        {type: 'event', event: event(MAX_EVENTS + 1)},
      ],
      paused,
    )
    expect(later.events).toHaveLength(MAX_EVENTS)
    expect(later.events[effectiveSelection(later, later.events.length)].uid).toBe(selectedUid)
  })

  it('with a filter, only trimmed events that pass it shift a paused selection', () => {
    // Odd events are "shown"; `selected` indexes the shown ones.
    const odd = (e: InspectEvent) => Number(e.uid.slice(-6)) % 2 === 1
    const full = reducer(initialState(), {type: 'loaded', events: events(MAX_EVENTS)})
    const shown = (s: InspectorState) => s.events.filter(odd)
    const paused = reducer(full, {type: 'pin', index: 100})
    const selectedUid = shown(paused)[100].uid
    const later = run(
      [0, 1, 2, 3].map((i): Action => ({type: 'event', event: event(MAX_EVENTS + i), matches: odd})),
      paused,
    )
    const visible = shown(later)
    expect(visible[effectiveSelection(later, visible.length)].uid).toBe(selectedUid)
  })

  it('following ignores trimming: the newest stays selected', () => {
    const full = reducer(initialState(), {type: 'loaded', events: events(MAX_EVENTS)})
    const later = reducer(full, {type: 'event', event: event(MAX_EVENTS), matches: () => true})
    expect(later.follow).toBe(true)
    expect(later.events[effectiveSelection(later, later.events.length)].uid).toBe(uid(MAX_EVENTS))
  })
})

describe('effectiveSelection', () => {
  it('is the newest while following, whatever `selected` says', () => {
    expect(effectiveSelection({...initialState(), selected: 2, follow: true}, 9)).toBe(8)
    expect(effectiveSelection({...initialState(), selected: 2, follow: true}, 0)).toBe(0)
  })

  it('is `selected`, clamped to what is visible, while paused', () => {
    const paused = {...initialState(), selected: 7, follow: false}
    expect(effectiveSelection(paused, 10)).toBe(7)
    expect(effectiveSelection(paused, 4)).toBe(3)
    expect(effectiveSelection(paused, 0)).toBe(0)
  })
})

describe('parseFilter', () => {
  it('reads status:, type: and source: keys and lower-cased free words', () => {
    const f = parseFilter('  status:Failure type:invoice.* source:GitHub  Paid   Hooks ')
    expect(f.status).toBe('failure')
    expect(f.source).toBe('github')
    expect(f.text).toEqual(['paid', 'hooks'])
    expect(f.type!.test('invoice.paid')).toBe(true)
    expect(f.type!.test('INVOICE.created')).toBe(true)
    expect(f.type!.test('invoice')).toBe(false)
    expect(f.type!.test('xinvoice.paid')).toBe(false)
  })

  it('is empty for an empty or blank input', () => {
    expect(parseFilter('')).toEqual({text: []})
    expect(parseFilter('   ')).toEqual({text: []})
  })

  it('treats glob characters other than * literally', () => {
    const f = parseFilter('type:a.b+(c)')
    expect(f.type!.test('a.b+(c)')).toBe(true)
    expect(f.type!.test('aXb+(c)')).toBe(false)
    expect(f.type!.test('a.bb(c)')).toBe(false)
  })

  it('keeps colons in values and reads unknown keys or empty values as free text', () => {
    expect(parseFilter('source:a:b').source).toBe('a:b')
    expect(parseFilter('status:').text).toEqual(['status:'])
    expect(parseFilter('path:/hooks').text).toEqual(['path:/hooks'])
  })
})

describe('displayStatus', () => {
  it('says Duplicate, then Rejected, then Stored, before the delivery status', () => {
    expect(displayStatus(event(0, {is_duplicate_event: true, failure_reason: 'bad sig'}))).toBe('Duplicate')
    expect(displayStatus(event(0, {failure_reason: 'bad signature', status: 'Failure'}))).toBe('Rejected')
    expect(displayStatus(event(0, {status: 'Success'}))).toBe('Stored')
    const delivered = event(0, {
      status: 'Retry',
      delivery_summary: {deliveries: 2, attempts: 3, response_status: 500, latency_ms: 10, error: ''},
    })
    expect(displayStatus(delivered)).toBe('Retry')
  })
})

describe('matchesFilter', () => {
  const names: Record<string, string> = {'src-gh': 'github', 'src-shop': 'shopify-prod'}
  const sourceName = (id: string) => names[id] ?? ''
  const failed = event(1, {
    status: 'Failure',
    event_type: 'invoice.payment_failed',
    delivery_summary: {deliveries: 1, attempts: 3, response_status: 500, latency_ms: 5, error: ''},
  })
  const push = event(2, {
    source_id: 'src-gh',
    event_type: 'push',
    url_path: '/github/hooks',
    body_base64: Buffer.from('{"ref":"refs/heads/main"}').toString('base64'),
  })
  const rejected = event(3, {failure_reason: 'signature mismatch', status: 'Failure', event_type: 'invoice.paid'})
  const all = [failed, push, rejected]
  const matching = (input: string) =>
    all.filter((e) => matchesFilter(e, parseFilter(input), sourceName)).map((e) => e.uid)

  it('matches everything with an empty filter', () => {
    expect(matching('')).toEqual([failed.uid, push.uid, rejected.uid])
  })

  it('status: matches the shown status or the delivery status, case-insensitively', () => {
    expect(matching('status:failure')).toEqual([failed.uid, rejected.uid])
    expect(matching('status:Rejected')).toEqual([rejected.uid])
    expect(matching('status:stored')).toEqual([push.uid])
  })

  it('type: is a glob over the whole event type', () => {
    expect(matching('type:invoice.*')).toEqual([failed.uid, rejected.uid])
    expect(matching('type:*failed')).toEqual([failed.uid])
    expect(matching('type:push')).toEqual([push.uid])
    expect(matching('type:pus')).toEqual([])
  })

  it('source: is a substring of the source name', () => {
    expect(matching('source:github')).toEqual([push.uid])
    expect(matching('source:SHOP')).toEqual([failed.uid, rejected.uid])
  })

  it('free words must all appear in the type, path, id or body', () => {
    expect(matching('refs/heads/main')).toEqual([push.uid])
    expect(matching('github hooks')).toEqual([push.uid])
    expect(matching('github nope')).toEqual([])
    expect(matching(uid(3).toLowerCase())).toEqual([rejected.uid])
    expect(matching('PAYMENT')).toEqual([failed.uid])
  })

  it('combines keys and words with AND', () => {
    expect(matching('type:invoice.* status:Rejected paid')).toEqual([rejected.uid])
    expect(matching('type:invoice.* source:github')).toEqual([])
  })
})

describe('bodyLines', () => {
  it('pretty-prints JSON, by content type or by its look', () => {
    const json = Buffer.from('{"a":1,"b":{"c":[true,null]}}')
    const expected = ['{', '  "a": 1,', '  "b": {', '    "c": [', '      true,', '      null', '    ]', '  }', '}']
    expect(bodyLines(json, 'application/json')).toMatchObject({kind: 'json', lines: expected})
    expect(bodyLines(json)).toMatchObject({kind: 'json', lines: expected})
    expect(bodyLines(Buffer.from('  [1, 2]'), 'text/plain')).toMatchObject({
      kind: 'json',
      lines: ['[', '  1,', '  2', ']'],
    })
    // The same lines as coloured segments, for the detail view.
    const {lines, segments} = bodyLines(json)
    expect(segments!.map((l) => l.map((s) => s.text).join(''))).toEqual(lines)
  })

  it('falls back to text for something that only looks like JSON', () => {
    expect(bodyLines(Buffer.from('{not json\nline 2'), 'application/json')).toEqual({
      kind: 'text',
      lines: ['{not json', 'line 2'],
    })
  })

  it('shows form fields as key = value, decoded', () => {
    const form = Buffer.from('name=Ada+Lovelace&email=ada%40example.com&empty=&tag=a&tag=b')
    expect(bodyLines(form, 'application/x-www-form-urlencoded; charset=utf-8')).toEqual({
      kind: 'form',
      lines: ['name = Ada Lovelace', 'email = ada@example.com', 'empty = ', 'tag = a', 'tag = b'],
    })
  })

  it('shows plain text line by line, keeping UTF-8', () => {
    expect(bodyLines(Buffer.from('héllo\nwörld ✓'), 'text/plain')).toEqual({kind: 'text', lines: ['héllo', 'wörld ✓']})
  })

  it('hex-dumps bytes that are not valid UTF-8', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x41, 0x42, 0x00, 0x80, ...Buffer.from('0123456789abcdef')])
    const {kind, lines} = bodyLines(bytes, 'application/json')
    expect(kind).toBe('binary')
    expect(lines[0]).toBe(`(binary, ${bytes.length} bytes)`)
    expect(lines.slice(1)).toEqual([
      '00000000  ff fe 41 42 00 80 30 31 32 33 34 35 36 37 38 39  ..AB..0123456789',
      '00000010  61 62 63 64 65 66                                abcdef',
    ])
  })

  it('hex-dumps valid UTF-8 that carries control characters', () => {
    expect(bodyLines(Buffer.from('ab\u0001cd')).kind).toBe('binary')
    expect(bodyLines(Buffer.from('tab\tand\r\nnewline')).kind).toBe('text')
  })

  it('says so for an empty body', () => {
    expect(bodyLines(Buffer.alloc(0), 'application/json')).toEqual({kind: 'empty', lines: ['(empty body)']})
  })

  it('caps a hex dump at maxLines', () => {
    const big = Buffer.alloc(16 * 100, 0xff)
    expect(hexDump(big, 10)).toHaveLength(10)
    expect(hexDump(big).length).toBe(100)
    expect(hexDump(big, 10)[9].startsWith('00000090  ')).toBe(true)
  })
})

describe('curlCommand', () => {
  const url = 'http://127.0.0.1:5005/ingest/abc/hooks?x=1'

  it('repeats method, headers and body, skipping host, content-length and hop-by-hop headers', () => {
    const e = event(0, {
      method: 'PUT',
      headers: {
        host: ['127.0.0.1:5005'],
        'content-length': ['12'],
        connection: ['keep-alive'],
        'transfer-encoding': ['chunked'],
        'content-type': ['application/json'],
        'x-multi': ['one', 'two'],
      },
      body_base64: Buffer.from('{"ok":true}').toString('base64'),
    })
    expect(curlCommand(e, url)).toBe(
      `curl -X PUT '${url}' -H 'content-type: application/json' -H 'x-multi: one' -H 'x-multi: two' --data-binary '{"ok":true}'`,
    )
  })

  it('quotes single quotes so the shell passes them through', () => {
    const e = event(0, {
      headers: {'x-note': ["it's"]},
      body_base64: Buffer.from(`{"name":"O'Brien"}`).toString('base64'),
    })
    const curl = curlCommand(e, url)
    expect(curl).toContain(`-H 'x-note: it'\\''s'`)
    expect(curl).toContain(`--data-binary '{"name":"O'\\''Brien"}'`)
  })

  it('leaves out --data-binary for an empty body and defaults the method to POST', () => {
    expect(curlCommand(event(0, {method: '', headers: {}, body_base64: ''}), url)).toBe(`curl -X POST '${url}'`)
  })

  it('sends a binary body through base64 -d, byte for byte', () => {
    const bytes = Buffer.from([0xff, 0x00, 0x27, 0x41])
    const curl = curlCommand(event(0, {headers: {}, body_base64: bytes.toString('base64')}), url)
    expect(curl).toBe(`curl -X POST '${url}' --data-binary @<(printf %s '${bytes.toString('base64')}' | base64 -d)`)
  })
})

describe('osc52', () => {
  it('wraps base64 text in the OSC 52 clipboard sequence', () => {
    expect(osc52('curl x')).toBe(`\u001B]52;c;${Buffer.from('curl x').toString('base64')}\u0007`)
  })
})

describe('windowStart (virtualised list)', () => {
  it('starts at 0 when everything fits', () => {
    expect(windowStart(0, 0, 5, 10)).toBe(0)
    expect(windowStart(3, 4, 5, 10)).toBe(0)
    expect(windowStart(0, 9, 10, 10)).toBe(0)
  })

  it('shows the newest rows when the newest is selected', () => {
    expect(windowStart(0, 9_999, 10_000, 30)).toBe(10_000 - 30)
    expect(windowStart(10_000 - 30, 9_999, 10_000, 30)).toBe(10_000 - 30)
  })

  it('always renders the selected row, inside the list, whatever was shown before', () => {
    const violations: string[] = []
    let checked = 0
    for (const height of [1, 2, 3, 4, 7, 10, 33]) {
      for (const total of [0, 1, 2, height - 1, height, height + 1, 2 * height, 97, 1000]) {
        for (let selected = 0; selected < total; selected++) {
          for (const previous of [-5, 0, selected - height, selected - 1, selected, selected + 3, total, 10 * total]) {
            const start = windowStart(previous, selected, total, height)
            const ok =
              Number.isInteger(start) &&
              start >= 0 &&
              start <= selected &&
              selected < start + height &&
              // No empty rows below the list while there are rows above it.
              start + Math.min(height, total) <= total
            if (!ok)
              violations.push(
                `selected ${selected} of ${total}, height ${height}, previous ${previous}: start ${start}`,
              )
            checked++
          }
        }
      }
    }
    expect(violations).toEqual([])
    expect(checked).toBeGreaterThan(50_000)
  })

  it('keeps the window still while the selection moves inside it, then scrolls a row at a time', () => {
    const height = 10
    const total = 100
    let start = windowStart(0, total - 1, total, height)
    expect(start).toBe(90)
    // Up through the window: it stays where it is.
    for (let selected = total - 2; selected >= 90; selected--) {
      start = windowStart(start, selected, total, height)
      expect(start).toBe(90)
    }
    // Past its top: one row at a time, the selection on the top row.
    for (let selected = 89; selected >= 0; selected--) {
      start = windowStart(start, selected, total, height)
      expect(start).toBe(selected)
    }
    // And down again: still until the bottom row, then one at a time.
    for (let selected = 1; selected < total; selected++) {
      start = windowStart(start, selected, total, height)
      expect(start).toBe(Math.max(0, selected - height + 1))
    }
  })

  it('stays put while new events arrive below a paused selection', () => {
    expect(windowStart(40, 45, 101, 10)).toBe(40)
    expect(windowStart(40, 45, 150, 10)).toBe(40)
  })
})
