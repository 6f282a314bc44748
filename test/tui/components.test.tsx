import chalk from 'chalk'
import {render} from 'ink-testing-library'
import {describe, expect, it, onTestFinished} from 'vitest'

import {FilterBar, Header, StatusBar} from '../../src/tui/Bars.js'
import {EventDetail, detailLines} from '../../src/tui/EventDetail.js'
import {EventList} from '../../src/tui/EventList.js'
import {shortTime} from '../../src/tui/format.js'
import type {InspectDelivery, InspectEvent} from '../../src/tui/types.js'

// ink views through ink-testing-library: render, let ink flush, read the last frame.
// Frames are 100 columns wide (the library's stdout) and uncoloured unless a test asks.

const tick = (ms = 15) => new Promise((resolve) => setTimeout(resolve, ms))

const uid = (n: number) => `01EVT${String(n).padStart(21, '0')}`
const CREATED = '2026-01-01T12:34:56.000Z'

function event(n: number, over: Partial<InspectEvent> = {}): InspectEvent {
  return {
    uid: uid(n),
    event_type: `type.${n}`,
    method: 'POST',
    url_path: '/hooks',
    url_query_params: '',
    source_id: 'src-shop',
    status: 'Success',
    is_duplicate_event: false,
    failure_reason: '',
    headers: {'content-type': ['application/json']},
    body_base64: Buffer.from(JSON.stringify({n})).toString('base64'),
    created_at: CREATED,
    delivery_summary: {deliveries: 0, attempts: 0, response_status: null, latency_ms: null, error: ''},
    ...over,
  }
}

const sourceName = (id: string) => ({'src-shop': 'shop', 'src-gh': 'github'})[id] ?? ''

async function frameOf(node: React.ReactElement): Promise<string> {
  const r = render(node)
  onTestFinished(() => r.unmount())
  await tick()
  return r.lastFrame() ?? ''
}

const lines = (frame: string) => frame.split('\n')

describe('EventList', () => {
  it('shows one row per event: time, method, source+path, type, status, response, latency, attempts', async () => {
    const list = [
      event(1, {
        status: 'Success',
        delivery_summary: {deliveries: 1, attempts: 1, response_status: 200, latency_ms: 12, error: ''},
      }),
      event(2, {
        source_id: 'src-gh',
        url_path: '/push',
        event_type: 'push',
        status: 'Retry',
        delivery_summary: {deliveries: 1, attempts: 3, response_status: 503, latency_ms: 250, error: ''},
      }),
      event(3, {method: 'PUT', event_type: 'invoice.paid', failure_reason: 'bad signature', status: 'Failure'}),
      event(4, {is_duplicate_event: true}),
      event(5, {source_id: '', url_path: '', event_type: ''}),
    ]
    const frame = await frameOf(
      <EventList events={list} selected={4} height={10} width={100} sourceName={sourceName} />,
    )
    // The list fills its height; rows past the last event are blank.
    expect(lines(frame)).toHaveLength(10)
    const rows = lines(frame).filter((l) => l.trim())
    expect(rows).toHaveLength(5)
    const time = shortTime(CREATED)
    expect(rows[0]).toMatch(new RegExp(`^${time} POST +shop/hooks +type\\.1 +Success +200 +12ms ×1$`))
    expect(rows[1]).toMatch(/ POST +github\/push +push +Retry +503 +250ms ×3$/)
    expect(rows[2]).toMatch(/ PUT +shop\/hooks +invoice\.paid +Rejected +- +×0$/)
    expect(rows[3]).toMatch(/ Duplicate +- +×0$/)
    // No source: an event sent over the API; no type: a dash.
    expect(rows[4]).toMatch(new RegExp(`^${time} POST +api +- +Stored +- +×0$`))
  })

  it('says how to get events when there are none', async () => {
    const frame = await frameOf(<EventList events={[]} selected={0} height={5} width={100} sourceName={sourceName} />)
    expect(frame).toContain('No events yet. Send a webhook to the ingest URL, or caravan trigger github push.')
  })

  it('says the filter hid every event, rather than that none came (issue 11)', async () => {
    const frame = await frameOf(
      <EventList events={[]} selected={0} height={5} width={100} sourceName={sourceName} filter="type:nope.*" />,
    )
    expect(frame).toContain('No events match the filter "type:nope.*"')
    expect(frame).not.toContain('No events yet')
  })

  it('truncates long paths and types to their columns (the path column grows with the width)', async () => {
    const long = event(1, {url_path: '/' + 'p'.repeat(80), event_type: 'e'.repeat(40)})
    const frame = await frameOf(
      <EventList events={[long]} selected={0} height={1} width={100} sourceName={sourceName} />,
    )
    // 100 columns leave 20 for source+path; the type column is 24.
    expect(frame).toContain(` shop/${'p'.repeat(14)}… ${'e'.repeat(23)}… Stored`)
    const narrow = await frameOf(
      <EventList events={[long]} selected={0} height={1} width={60} sourceName={sourceName} />,
    )
    expect(narrow).toContain(` shop/pppp… ${'e'.repeat(23)}…`)
  })

  it('renders only `height` rows out of 10,000 events, with the selected one among them', async () => {
    const many = Array.from({length: 10_000}, (_, i) => event(i))
    for (const selected of [0, 1, 4_321, 9_998, 9_999]) {
      const r = render(<EventList events={many} selected={selected} height={12} width={100} sourceName={sourceName} />)
      await tick()
      const rows = lines(r.lastFrame() ?? '')
      r.unmount()
      expect(rows, `selected ${selected}`).toHaveLength(12)
      const types = rows.map((row) => /type\.(\d+)/.exec(row)?.[1]).map(Number)
      expect(types, `selected ${selected}`).toContain(selected)
      // A contiguous slice, in order.
      for (let i = 1; i < types.length; i++) expect(types[i]).toBe(types[i - 1] + 1)
    }
  })

  it('follows the selection as it moves: the newest rows at the end, the oldest at the start', async () => {
    const many = Array.from({length: 500}, (_, i) => event(i))
    const r = render(<EventList events={many} selected={499} height={8} width={100} sourceName={sourceName} />)
    onTestFinished(() => r.unmount())
    await tick()
    expect(lines(r.lastFrame()!).at(-1)).toContain('type.499')
    r.rerender(<EventList events={many} selected={0} height={8} width={100} sourceName={sourceName} />)
    await tick()
    expect(lines(r.lastFrame()!)[0]).toContain('type.0 ')
  })

  it('keeps the rows still while the selection moves among them; scrolls only past an edge', async () => {
    const many = Array.from({length: 100}, (_, i) => event(i))
    const list = (selected: number) => (
      <EventList events={many} selected={selected} height={8} width={100} sourceName={sourceName} />
    )
    const r = render(list(99))
    onTestFinished(() => r.unmount())
    await tick()
    const firstType = () => Number(/type\.(\d+)/.exec(lines(r.lastFrame()!)[0])![1])
    expect(firstType()).toBe(92)
    for (const selected of [98, 95, 92]) {
      r.rerender(list(selected))
      await tick()
      expect(firstType(), `selected ${selected}`).toBe(92)
    }
    r.rerender(list(91))
    await tick()
    expect(firstType()).toBe(91)
    r.rerender(list(97))
    await tick()
    expect(firstType()).toBe(91)
  })

  it('highlights the selected row (inverse) and colours the status', async () => {
    const level = chalk.level
    chalk.level = 1
    onTestFinished(() => {
      chalk.level = level
    })
    const list = [
      event(1),
      event(2, {
        status: 'Failure',
        delivery_summary: {deliveries: 1, attempts: 1, response_status: 500, latency_ms: 1, error: ''},
      }),
      event(3),
    ]
    const rows = lines(
      await frameOf(<EventList events={list} selected={1} height={5} width={100} sourceName={sourceName} />),
    )
    const inverse = '\u001B[7m'
    expect(rows[1]).toContain(inverse)
    expect(rows[0]).not.toContain(inverse)
    expect(rows[2]).not.toContain(inverse)
    expect(rows[1]).toMatch(/\u001B\[31mFailure/) // red
  })
})

describe('EventDetail', () => {
  const body = {id: 'evt_1', type: 'invoice.paid', data: {amount: 1200, lines: ['a']}}
  const subject = event(7, {
    method: 'POST',
    url_path: '/stripe/hooks',
    url_query_params: 'mode=test',
    event_type: 'invoice.paid',
    status: 'Failure',
    headers: {'content-type': ['application/json'], 'stripe-signature': ['t=1,v1=abc'], 'x-multi': ['one', 'two']},
    body_base64: Buffer.from(JSON.stringify(body)).toString('base64'),
    delivery_summary: {deliveries: 1, attempts: 2, response_status: 500, latency_ms: 30, error: ''},
  })
  const deliveries: InspectDelivery[] = [
    {
      uid: 'dlv_1',
      status: 'Failure',
      endpoint: 'billing-app',
      description: 'retry limit reached',
      attempts: [
        {
          uid: 'att_1',
          http_status: '',
          url: 'http://127.0.0.1:3000/hooks',
          request_http_header: null,
          response_http_header: null,
          response_data: '',
          error: 'connection refused',
          latency_ms: 2,
          created_at: '2026-01-01T12:35:00.000Z',
        },
        {
          uid: 'att_2',
          http_status: '500',
          url: 'http://127.0.0.1:3000/hooks',
          request_http_header: null,
          response_http_header: {'content-type': 'text/plain'},
          response_data: 'boom\nstack',
          error: '',
          latency_ms: 30,
          created_at: '2026-01-01T12:35:10.000Z',
        },
      ],
    },
    {
      uid: 'dlv_2',
      status: 'Success',
      endpoint: 'replay:127.0.0.1:4000',
      description: '',
      attempts: [
        {
          uid: 'att_3',
          http_status: '204',
          url: 'http://127.0.0.1:4000/x',
          request_http_header: null,
          response_http_header: null,
          response_data: '',
          error: '',
          latency_ms: null,
          created_at: '2026-01-01T12:36:00.000Z',
        },
      ],
    },
  ]

  it('shows the request line, the event facts, every header and the body as pretty JSON', async () => {
    const frame = await frameOf(<EventDetail event={subject} deliveries={deliveries} scroll={0} height={60} />)
    const rows = lines(frame)
    expect(rows[0]).toBe('POST /stripe/hooks?mode=test')
    expect(rows[1]).toBe(`event ${uid(7)}  type invoice.paid  Failure  ${CREATED}`)
    expect(rows).toEqual(
      expect.arrayContaining([
        'content-type: application/json',
        'stripe-signature: t=1,v1=abc',
        'x-multi: one',
        'x-multi: two',
      ]),
    )
    const json = JSON.stringify(body, null, 2).split('\n')
    const at = rows.indexOf('{')
    expect(at).toBeGreaterThan(0)
    expect(rows.slice(at, at + json.length)).toEqual(json)
  })

  it('colours the JSON body: keys, strings, numbers, literals', async () => {
    const level = chalk.level
    chalk.level = 1
    onTestFinished(() => {
      chalk.level = level
    })
    const coloured = {
      ...subject,
      body_base64: Buffer.from('{"id":"in_1","amount":1200,"paid":true}').toString('base64'),
    }
    const rows = lines(await frameOf(<EventDetail event={coloured} deliveries={[]} scroll={0} height={60} />))
    const plain = (row: string) => row.replace(/\u001B\[\d+m/g, '')
    expect(rows.find((r) => plain(r) === '  "id": "in_1",')).toBe(
      '  \u001B[34m"id"\u001B[39m: \u001B[32m"in_1"\u001B[39m,',
    )
    expect(rows.find((r) => plain(r) === '  "amount": 1200,')).toContain('\u001B[33m1200\u001B[39m')
    expect(rows.find((r) => plain(r) === '  "paid": true')).toContain('\u001B[35mtrue\u001B[39m')
  })

  it('lists deliveries and their attempts, with errors and responses', async () => {
    const rows = lines(await frameOf(<EventDetail event={subject} deliveries={deliveries} scroll={0} height={60} />))
    expect(rows).toContain('── delivery dlv_1 → billing-app: Failure (retry limit reached)')
    expect(rows).toContain('  attempt att_1  2026-01-01T12:35:00.000Z  no response  2ms  http://127.0.0.1:3000/hooks')
    expect(rows).toContain('    error: connection refused')
    expect(rows).toContain('  attempt att_2  2026-01-01T12:35:10.000Z  500  30ms  http://127.0.0.1:3000/hooks')
    expect(rows).toContain('    content-type: text/plain')
    expect(rows).toContain('    boom')
    expect(rows).toContain('    stack')
    expect(rows).toContain('── delivery dlv_2 → replay:127.0.0.1:4000: Success')
    expect(rows).toContain('  attempt att_3  2026-01-01T12:36:00.000Z  204  -ms  http://127.0.0.1:4000/x')
  })

  it('says when deliveries are loading, and when there are none', async () => {
    expect(await frameOf(<EventDetail event={subject} deliveries={undefined} scroll={0} height={40} />)).toContain(
      'loading deliveries…',
    )
    expect(await frameOf(<EventDetail event={subject} deliveries={[]} scroll={0} height={40} />)).toContain(
      'No deliveries (no subscription or listener matched).',
    )
  })

  it('shows why verification failed, and a form body as fields', async () => {
    const rejected = event(8, {
      failure_reason: 'signature mismatch',
      headers: {'content-type': ['application/x-www-form-urlencoded']},
      body_base64: Buffer.from('payload=%7B%22a%22%3A1%7D&token=abc').toString('base64'),
    })
    const rows = lines(await frameOf(<EventDetail event={rejected} deliveries={[]} scroll={0} height={40} />))
    expect(rows).toContain('verification failed: signature mismatch')
    expect(rows).toContain('payload = {"a":1}')
    expect(rows).toContain('token = abc')
  })

  it('scrolls: renders `height` lines from `scroll`, and stops at the last page', async () => {
    const all = detailLines(subject, deliveries).map((l) => l.text || ' ')
    const height = 6
    expect(all.length).toBeGreaterThan(height * 3)
    const r = render(<EventDetail event={subject} deliveries={deliveries} scroll={0} height={height} />)
    onTestFinished(() => r.unmount())
    await tick()
    // Blank lines render as one space; compare without trailing spaces.
    const shown = () => lines(r.lastFrame()!).map((l) => l.trimEnd())
    const expected = (from: number) => all.slice(from, from + height).map((l) => l.trimEnd())
    expect(shown()).toEqual(expected(0))
    r.rerender(<EventDetail event={subject} deliveries={deliveries} scroll={5} height={height} />)
    await tick()
    expect(shown()).toEqual(expected(5))
    r.rerender(<EventDetail event={subject} deliveries={deliveries} scroll={10_000} height={height} />)
    await tick()
    expect(shown()).toEqual(expected(all.length - height))
    expect(shown().at(-1)).toBe('  attempt att_3  2026-01-01T12:36:00.000Z  204  -ms  http://127.0.0.1:4000/x')
  })

  it('hex-dumps a binary body', async () => {
    const binary = event(9, {
      headers: {'content-type': ['application/octet-stream']},
      body_base64: Buffer.from([0xde, 0xad, 0xbe, 0xef]).toString('base64'),
    })
    const rows = lines(await frameOf(<EventDetail event={binary} deliveries={[]} scroll={0} height={20} />))
    expect(rows).toContain('(binary, 4 bytes)')
    expect(rows.some((l) => l.startsWith('00000000  de ad be ef'))).toBe(true)
  })
})

describe('Header', () => {
  const base = {gateway: 'http://gw', project: 'p1', sources: 'sources gh', count: 42}

  it('shows count, connection, following, then gateway, project and sources', async () => {
    const frame = await frameOf(<Header {...base} follow connection="live" />)
    expect(frame).toBe('caravan inspect · 42 events · ● live · following · http://gw · project p1 · sources gh')
  })

  it('shows the replay target right after the state, a connection that is not live, and paused', async () => {
    const frame = await frameOf(<Header {...base} target="http://app/h" follow={false} connection="reconnecting" />)
    // (cut at the test terminal's 100 columns)
    expect(frame).toMatch(
      /^caravan inspect · 42 events · ○ reconnecting · paused · → http:\/\/app\/h · http:\/\/gw · project p1 · s/,
    )
    const small = await frameOf(
      <Header gateway="g" project="p" sources="s" count={1} target="http://app/h" follow={false} connection="live" />,
    )
    expect(small).toBe('caravan inspect · 1 events · ● live · paused · → http://app/h · g · project p · s')
    expect(await frameOf(<Header {...base} follow connection="connecting" />)).toContain(
      ' · ○ connecting · following · ',
    )
  })

  it('stays on one line, keeping the state in view, with real-length URLs and ids', async () => {
    const real = {
      gateway: 'http://127.0.0.1:46287',
      project: '01M84W65Y0FJW5VYBPJEGHKQ95',
      sources: 'sources github, stripe, shopify-prod',
      count: 500,
    }
    const frame = await frameOf(
      <Header {...real} target="http://localhost:3000/webhooks" follow={false} connection="live" />,
    )
    expect(lines(frame)).toHaveLength(1)
    expect(frame.endsWith('…')).toBe(true)
    expect(frame).toMatch(
      /^caravan inspect · 500 events · ● live · paused · → http:\/\/localhost:3000\/webhooks · http:\/\/127\.0\.0\./,
    )
  })
})

describe('FilterBar', () => {
  it('is absent with no filter and not editing', async () => {
    expect(await frameOf(<FilterBar value="" editing={false} />)).toBe('')
  })

  it('shows the applied filter', async () => {
    expect(await frameOf(<FilterBar value="type:invoice.*" editing={false} />)).toBe('/ type:invoice.*')
  })

  it('shows a cursor and the syntax while editing', async () => {
    const frame = await frameOf(<FilterBar value="status:Fai" editing />)
    expect(frame).toBe('/ status:Fai▌  (enter to apply, esc to cancel; status:Failure type:invoice.* source:github)')
  })
})

describe('StatusBar', () => {
  it('lists the list keys, and the message above them', async () => {
    const frame = await frameOf(<StatusBar view="list" message="replayed 01ABC" />)
    // The key line is 104 columns: cut to one line in the 100-column frame.
    expect(lines(frame)).toEqual([
      'replayed 01ABC',
      '↑↓/jk move  PgUp/PgDn  g/G ends  enter details  r replay  e edit+replay  / filter  f follow  c curl…',
    ])
  })

  it('lists the detail keys, with no message line when there is none', async () => {
    const frame = await frameOf(<StatusBar view="detail" message="" />)
    expect(lines(frame)).toEqual(['↑↓/jk scroll  esc back  r replay  e edit+replay  c curl  q quit'])
  })
})
