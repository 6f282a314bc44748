import {execFile} from 'node:child_process'
import {promisify} from 'node:util'

import {render} from 'ink-testing-library'
import {describe, expect, it, onTestFinished} from 'vitest'

import {GatewayClient} from '../../src/client/gateway-client.js'
import {storeEvent} from '../../src/core/events.js'
import {startRelay} from '../../src/relay/relay.js'
import {getProject} from '../../src/store/projects.js'
import {App} from '../../src/tui/App.js'
import {InspectorBackend} from '../../src/tui/backend.js'
import {startSink, tempDir} from '../helpers/delivery.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'

// The whole inspector against a real relay (port 0, temp store) through the real backend:
// the API for the initial load and details, the WebSocket feed for live events, real
// sinks for replays. Keys go in through ink-testing-library's stdin.

const KEY = {
  enter: '\r',
  esc: '\u001B',
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  backspace: '\u007F',
  ctrlC: '\u0003',
}

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms))

type Rendered = ReturnType<typeof render>

/**
 * Poll the last frame until `predicate` holds; fail showing the frame. The bound is only
 * there to fail with a message before the test's timeout: a run of 150 keys takes ~1 s on
 * an idle machine and over 5 s on a loaded one.
 */
async function waitForFrame(
  r: Rendered,
  predicate: (frame: string) => boolean,
  what = 'the expected frame',
): Promise<string> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const frame = r.lastFrame() ?? ''
    if (predicate(frame)) return frame
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last frame:\n${frame}`)
    await tick(15)
  }
}

const showing = (r: Rendered, text: string | RegExp) =>
  waitForFrame(r, (f) => (typeof text === 'string' ? f.includes(text) : text.test(f)), `a frame showing ${text}`)

async function press(r: Rendered, ...keys: string[]): Promise<void> {
  for (const key of keys) {
    r.stdin.write(key)
    await tick()
  }
}

async function type(r: Rendered, text: string): Promise<void> {
  for (const ch of text) await press(r, ch)
}

const lines = (frame: string) => frame.split('\n')
/** The frame's lines down to the last non-blank one (the screen box pads the rest). */
const screen = (frame: string) => lines(frame.trimEnd())

/** A source whose event type is the JSON body's `type`, like most providers. */
async function createSource(t: TestRelay, name = 'shop'): Promise<{uid: string; url: string}> {
  const res = await t.api('POST', t.p('/sources'), {
    name,
    type: 'http',
    verifier: {type: 'noop'},
    event_type_location: 'body.type',
  })
  expect(res.status, JSON.stringify(res.json)).toBe(201)
  return res.json.data
}

/** POST a webhook to the ingest URL as a provider would; returns the stored event's id. */
async function ingest(url: string, body: unknown, path = '/hooks'): Promise<string> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: {'content-type': 'application/json', 'x-provider-id': 'abc'},
    body: JSON.stringify(body),
  })
  expect(res.status, await res.clone().text()).toBe(200)
  return res.headers.get('x-caravan-event-id')!
}

interface Mounted {
  r: Rendered
  backend: InspectorBackend
  exits: string[][]
  edits: string[]
}

/** The App on a real backend; unmounted (feed closed) before the relay stops. */
async function mount(
  t: Pick<TestRelay, 'url' | 'key' | 'projectId'>,
  opts: {
    listenerTarget?: string
    editText?: (text: string) => string | null
    initialLimit?: number
    source?: string
    /** A first screenful loaded before mounting, as `caravan inspect` does. */
    preload?: {count: number; complete: boolean}
    reconnectDelaysMs?: number[]
  } = {},
): Promise<Mounted> {
  const backend = new InspectorBackend(new GatewayClient(t.url, t.key), t.projectId, t.key, opts.source)
  await backend.init()
  if (opts.listenerTarget) backend.listenerTarget = opts.listenerTarget
  if (opts.reconnectDelaysMs) backend.reconnectDelaysMs = opts.reconnectDelaysMs
  const initialEvents = opts.preload && (await backend.recent(opts.preload.count))
  const exits: string[][] = []
  const edits: string[] = []
  const editText = (text: string) => {
    edits.push(text)
    return opts.editText ? opts.editText(text) : null
  }
  const r = render(
    <App
      backend={backend}
      gateway={t.url}
      initialLimit={opts.initialLimit}
      initialEvents={initialEvents}
      initialComplete={opts.preload?.complete}
      editText={editText}
      onExit={(copied) => exits.push([...copied])}
    />,
  )
  onTestFinished(() => r.unmount())
  await tick()
  return {r, backend, exits, edits}
}

/** The event the detail view shows (its id line), opened with enter and closed again. */
async function selectedType(r: Rendered): Promise<string> {
  await press(r, KEY.enter)
  const frame = await showing(r, /^event \S+ {2}type /m)
  const type = /^event \S+ {2}type (\S+)/m.exec(frame)![1]
  await press(r, KEY.esc)
  await waitForFrame(r, (f) => !/^event \S+ {2}type /m.test(f), 'the list again')
  return type
}

describe('inspect App on a real relay', () => {
  it('shows stored events at once, then webhooks ingested later arrive live over the feed', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    for (const n of [1, 2, 3]) await ingest(src.url, {type: `order.created`, n})
    const {r} = await mount(t)

    let frame = await showing(r, '● live')
    frame = await showing(r, '3 events')
    expect(lines(frame)[0]).toMatch(
      new RegExp(`^caravan inspect · 3 events · ● live · following · ${t.url} · project ${t.projectId.slice(0, 10)}`),
    )
    expect(lines(frame).filter((l) => / POST +shop\/hooks +order\.created +Stored/.test(l))).toHaveLength(3)

    await ingest(src.url, {type: 'invoice.paid', n: 4}, '/billing')
    frame = await showing(r, 'invoice.paid')
    expect(frame).toContain('4 events')
    // Newest at the bottom, right after the three older ones.
    const rows = lines(frame).filter((l) => / POST /.test(l))
    expect(rows).toHaveLength(4)
    expect(rows[3]).toMatch(/ POST +shop\/billing +invoice\.paid +Stored/)
    expect(screen(frame).at(-1)).toMatch(/^↑↓\/jk move/)
  })

  it("loads as many recent events as asked (--limit up to 5000), past the API's 1000-a-page cap", async () => {
    const t = await useRelay()
    const src = await createSource(t)
    // Straight into the relay's store (the same code ingest uses), for speed.
    const project = getProject(t.relay.db, t.projectId)!
    t.relay.db.transaction(() => {
      for (let n = 0; n < 1205; n++) {
        storeEvent(t.relay.db, project, {
          target: {kind: 'source', sourceId: src.uid},
          eventType: `bulk.${n}`,
          body: Buffer.from('{}'),
          headers: {},
          idempotencyKey: null,
          urlPath: '/hooks',
        })
      }
    })()
    const {r} = await mount(t, {initialLimit: 1200})
    const frame = await showing(r, '1200 events')
    // The newest at the bottom; the oldest five are beyond the limit.
    expect(frame).toContain('bulk.1204')
    await press(r, 'g')
    expect(await selectedType(r)).toBe('bulk.5')
  })

  it('draws a preloaded screenful in the first frame, then loads the rest of --limit', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    for (let n = 0; n < 30; n++) await ingest(src.url, {type: `t.${n}`})
    const {r} = await mount(t, {initialLimit: 25, preload: {count: 5, complete: false}})
    // The very first frame already has the newest five.
    expect(r.frames.find((f) => f.includes('caravan inspect'))).toMatch(/· 5 events ·/)
    expect(r.frames.find((f) => f.includes('caravan inspect'))).toContain('t.29')
    await showing(r, '25 events · ● live')
    // A complete preload is what there is: nothing more is fetched, the feed adds new ones.
    const all = await mount(t, {initialLimit: 50, preload: {count: 50, complete: true}})
    await showing(all.r, '30 events · ● live')
    await ingest(src.url, {type: 't.30'})
    await showing(all.r, '31 events')
  })

  it('after the relay restarts, the feed reconnects and shows what arrived while it was away', async () => {
    const dataDir = await tempDir()
    const key = 'test-admin-restart-0123456789'
    const first = await startRelay({port: 0, dataDir, apiKey: key})
    let current = first
    onTestFinished(() => current.stop({graceMs: 100}))
    const t = {url: first.url, key, projectId: first.defaultProjectId}
    const created = await fetch(`${first.url}/api/v1/projects/${first.defaultProjectId}/sources`, {
      method: 'POST',
      headers: {authorization: `Bearer ${key}`, 'content-type': 'application/json'},
      body: JSON.stringify({name: 'shop', type: 'http', verifier: {type: 'noop'}, event_type_location: 'body.type'}),
    })
    const source = (await created.json()) as {data: {url: string}}
    await ingest(source.data.url, {type: 'before.restart'})
    // Retries every 20 ms rather than 0/100 ms/1 s/5 s: several fail before the relay is back.
    const {r} = await mount(t, {reconnectDelaysMs: [0, 20]})
    await showing(r, /1 events · ● live/)

    await first.stop({graceMs: 100})
    await showing(r, '○ reconnecting')
    current = await startRelay({port: first.port, dataDir, apiKey: key})
    await ingest(source.data.url, {type: 'while.away'})

    await showing(r, /● live/)
    const frame = await showing(r, 'while.away')
    expect(frame).toContain('2 events')
    await ingest(source.data.url, {type: 'after.restart'})
    await showing(r, 'after.restart')
  })

  it('--source shows one source only, stored and live (the feed filters by source)', async () => {
    const t = await useRelay()
    const shop = await createSource(t, 'shop')
    const github = await createSource(t, 'github')
    await ingest(shop.url, {type: 'shop.stored'})
    await ingest(github.url, {type: 'github.stored'})
    const {r, backend} = await mount(t, {source: 'github'})
    let frame = await showing(r, /1 events · ● live/)
    expect(backend.sourceNames()).toBe('source github')
    expect(frame).toContain('github.stored')
    expect(frame).not.toContain('shop.stored')

    await ingest(shop.url, {type: 'shop.live'})
    await ingest(github.url, {type: 'github.live'})
    // The feed is in order: shop.live, ingested first, would show before github.live does.
    frame = await showing(r, 'github.live')
    expect(frame).toContain('2 events')
    expect(frame).not.toContain('shop.live')
  })

  it('delivery updates arrive live: a subscribed endpoint answers and the row shows it', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    const sink = await startSink(() => ({status: 202}))
    const ep = await t.api('POST', t.p('/endpoints'), {name: 'app', url: `${sink.url}/in`})
    expect(ep.status).toBe(201)
    const sub = await t.api('POST', t.p('/subscriptions'), {
      name: 'all',
      endpoint_id: ep.json.data.uid,
      source_id: src.uid,
      filter_config: {event_types: ['*']},
    })
    expect(sub.status, JSON.stringify(sub.json)).toBe(201)
    const {r} = await mount(t)
    await showing(r, '● live')

    await ingest(src.url, {type: 'invoice.paid'})
    await sink.waitForRequests(1)
    const frame = await showing(r, / invoice\.paid +Success +202 +\d+ms ×1/)
    expect(frame).toContain('1 events')
  })

  it('j/k/g/G and PgUp/PgDn move the selection; moving away pauses, coming back to the end follows', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    for (let n = 0; n < 30; n++) await ingest(src.url, {type: `t.${n}`})
    const {r} = await mount(t)
    await showing(r, '30 events · ● live · following')

    await press(r, 'k')
    await showing(r, '· paused ·')
    expect(await selectedType(r)).toBe('t.28')
    await press(r, KEY.up, KEY.up)
    expect(await selectedType(r)).toBe('t.26')

    // Paused: a new event does not move the selection.
    await ingest(src.url, {type: 't.30'})
    await showing(r, '31 events')
    expect(await selectedType(r)).toBe('t.26')
    expect(r.lastFrame()).toContain('· paused ·')

    await press(r, 'g')
    expect(await selectedType(r)).toBe('t.0')
    // 24 rows: the list gets 20, a page is 19.
    await press(r, KEY.pageDown)
    expect(await selectedType(r)).toBe('t.19')
    await press(r, KEY.pageUp)
    expect(await selectedType(r)).toBe('t.0')

    await press(r, 'G')
    await showing(r, '· following ·')
    await ingest(src.url, {type: 't.31'})
    await showing(r, '32 events')
    expect(await selectedType(r)).toBe('t.31')
    // Opening details pins the selection (paused); moving down onto the last resumes.
    await showing(r, '· paused ·')
    await press(r, 'j')
    await showing(r, '· following ·')

    // f toggles following.
    await press(r, 'f')
    await showing(r, '· paused ·')
    await press(r, 'f')
    await showing(r, '· following ·')
  })

  it('keys that arrive together in one read (typed fast, auto-repeat, a paste) are each taken', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    for (let n = 0; n < 10; n++) await ingest(src.url, {type: n % 2 ? `invoice.n${n}` : `customer.n${n}`})
    const {r} = await mount(t)
    await showing(r, '10 events · ● live · following')

    // Three moves up in one write: each one counts.
    r.stdin.write('kkk')
    await showing(r, '· paused ·')
    expect(await selectedType(r)).toBe('customer.n6')
    r.stdin.write('jG')
    await showing(r, '· following ·')
    expect(await selectedType(r)).toBe('invoice.n9')

    // A long run (a key held down on a slow screen) is taken to the end.
    r.stdin.write('k'.repeat(150))
    await showing(r, '· paused ·')
    // (enter goes in behind the run, so the details open on where the run ended)
    expect(await selectedType(r)).toBe('customer.n0')
    r.stdin.write('G')
    await showing(r, '· following ·')

    // Open the filter, type it and apply it, all in one read: the text goes into the
    // filter (not taken as commands), and enter applies it.
    r.stdin.write('/type:invoice.*\r')
    let frame = await showing(r, '5 events')
    expect(frame).toContain('/ type:invoice.*')
    expect(frame).not.toContain('▌')
    expect(frame).not.toContain('customer.')

    // A paste into the filter with a backspace in it edits the text as typed.
    r.stdin.write('/')
    await showing(r, '▌')
    r.stdin.write('\u007F'.repeat('type:invoice.*'.length) + 'type:customer.n44\u007F\u007F*\r')
    frame = await waitForFrame(r, (f) => f.includes('/ type:customer.n*') && !f.includes('▌'), 'the new filter applied')
    expect(frame).toContain('5 events')
    expect(frame).toContain('customer.n8')
    expect(frame).not.toContain('invoice.')
  })

  it('enter shows the details (request, headers, pretty JSON body, deliveries); j/k scroll; esc returns', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    const body = {type: 'invoice.paid', data: {id: 'in_1', amount: 1200, lines: Array.from({length: 30}, (_, i) => i)}}
    const id = await ingest(src.url, body, '/stripe?mode=test')
    const {r} = await mount(t)
    await showing(r, 'invoice.paid')

    await press(r, KEY.enter)
    let frame = await showing(r, 'POST /stripe?mode=test')
    const rows = lines(frame)
    expect(rows[1]).toBe('POST /stripe?mode=test')
    expect(rows[2]).toMatch(new RegExp(`^event ${id} {2}type invoice\\.paid {2}Stored {2}\\d{4}-`))
    expect(rows).toEqual(expect.arrayContaining(['content-type: application/json', 'x-provider-id: abc']))
    const pretty = JSON.stringify(body, null, 2).split('\n')
    const at = rows.indexOf('{')
    expect(rows.slice(at, at + 5)).toEqual(pretty.slice(0, 5))
    expect(screen(frame).at(-1)).toBe('↑↓/jk scroll  esc back  r replay  e edit+replay  c curl  q quit')

    // The body is longer than the screen: scrolling shows its end.
    expect(frame).not.toContain('No deliveries')
    await press(r, ...Array(40).fill('j'))
    frame = await showing(r, 'No deliveries (no subscription or listener matched).')
    expect(frame).not.toContain('POST /stripe?mode=test')
    // Scrolling stops at the end: one k after too many j moves the view up at once.
    const top = lines(frame)[1]
    await press(r, 'k')
    frame = await waitForFrame(r, (f) => lines(f)[1] !== top, 'the view to scroll up one line')
    expect(frame).not.toContain('No deliveries')
    await press(r, KEY.pageUp, KEY.pageUp, KEY.pageUp)
    await showing(r, 'POST /stripe?mode=test')

    await press(r, KEY.esc)
    frame = await waitForFrame(r, (f) => !f.includes('POST /stripe?mode=test') && f.includes('shop/stripe'), 'the list')
    expect(frame).toMatch(/ POST +shop\/stripe +invoice\.paid +Stored/)
  })

  it('/ filters by type glob (the count follows), esc cancels an edit, an empty filter shows all', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    for (const type of ['invoice.paid', 'customer.created', 'invoice.created', 'charge.failed'])
      await ingest(src.url, {type})
    const {r} = await mount(t)
    await showing(r, '4 events')

    await press(r, '/')
    await type(r, 'type:invoice.*')
    let frame = await showing(r, '/ type:invoice.*▌')
    expect(frame).toContain('(enter to apply, esc to cancel;')
    await press(r, KEY.enter)
    frame = await showing(r, '2 events')
    expect(frame).toContain('/ type:invoice.*')
    expect(frame).not.toContain('▌')
    expect(frame).toContain('invoice.paid')
    expect(frame).toContain('invoice.created')
    expect(frame).not.toContain('customer.created')
    expect(frame).not.toContain('charge.failed')

    // Live events obey the filter too.
    await ingest(src.url, {type: 'customer.deleted'})
    await ingest(src.url, {type: 'invoice.voided'})
    frame = await showing(r, 'invoice.voided')
    expect(frame).toContain('3 events')
    expect(frame).not.toContain('customer.deleted')

    // An edit cancelled with esc leaves the applied filter alone.
    await press(r, '/')
    await type(r, 'xx')
    await showing(r, '/ type:invoice.*xx▌')
    await press(r, KEY.esc)
    frame = await waitForFrame(r, (f) => !f.includes('▌'), 'the edit to close')
    expect(frame).toContain('/ type:invoice.*')
    expect(frame).toContain('3 events')

    // Backspace everything, apply: everything again.
    await press(r, '/', ...Array('type:invoice.*'.length).fill(KEY.backspace))
    await showing(r, /^\/ ▌/m)
    await press(r, KEY.enter)
    frame = await showing(r, '6 events')
    expect(frame).not.toMatch(/^\/ /m)

    // Free text over the body.
    await press(r, '/')
    await type(r, 'status:stored charge')
    await press(r, KEY.enter)
    frame = await showing(r, '1 events')
    expect(frame).toContain('charge.failed')
  })

  it('c copies the selected request as curl (OSC 52) and q hands the commands to onExit; the command re-sends it', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    await ingest(src.url, {type: "it's.quoted", note: "O'Brien"}, '/hooks?x=1')
    const {r, exits} = await mount(t)
    await showing(r, "it's.quoted")

    await press(r, 'c')
    await showing(r, 'copied as curl (OSC 52 clipboard); also printed when you quit')
    const osc = r.frames.map((f) => /\u001B\]52;c;([A-Za-z0-9+/=]+)\u0007/.exec(f)).find(Boolean)
    expect(osc, 'an OSC 52 sequence was written').toBeTruthy()
    const curl = Buffer.from(osc![1], 'base64').toString('utf8')
    expect(curl.startsWith(`curl -X POST '${src.url}/hooks?x=1' `)).toBe(true)
    expect(curl).toContain(`-H 'content-type: application/json'`)
    expect(curl).not.toMatch(/-H 'host:|-H 'content-length:/)

    await press(r, 'q')
    await waitForFrame(r, () => exits.length > 0, 'onExit')
    expect(exits).toEqual([[curl]])

    // The copied command, run by a shell, stores the same request again (async: the relay
    // runs in this process and must answer while curl waits).
    await promisify(execFile)('bash', ['-c', `${curl} --silent --show-error --fail`])
    const events = await t.api('GET', t.p('/events?perPage=10'))
    const stored = events.json.data.content
    expect(stored).toHaveLength(2)
    expect(stored[0].raw).toBe(stored[1].raw)
    expect(stored[0].url_query_params).toBe('x=1')
    expect(stored[0].event_type).toBe("it's.quoted")
  })

  it('r replays the selected event to the listener target; the sink gets the exact body and the details show the new attempt', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    const sink = await startSink(() => ({status: 201, body: 'created'}))
    const body = JSON.stringify({type: 'invoice.paid', amount: 1200})
    await ingest(src.url, JSON.parse(body), '/hooks')
    const {r} = await mount(t, {listenerTarget: `${sink.url}/app`})
    let frame = await showing(r, 'invoice.paid')

    await press(r, KEY.enter)
    await showing(r, 'No deliveries')
    await press(r, 'r')
    const [request] = await sink.waitForRequests(1)
    expect(request.method).toBe('POST')
    expect(request.url).toBe('/app/hooks')
    expect(request.body.toString('utf8')).toBe(body)
    expect(request.headers['x-provider-id']).toBe('abc')

    frame = await showing(r, /replayed \S+ to http:\/\/127\.0\.0\.1:\d+\/app\/hooks: HTTP 201 in \d+ ms/)
    // Details reload: the replay is a delivery with one attempt (below the headers and body).
    // The reload may land after a key press (scrolling is capped at what is loaded), so
    // page down until the attempt is in view. (Lines are cut at the frame's 100 columns.)
    const attemptLine = new RegExp(`^ {2}attempt \\S+ {2}\\S+ {2}201 {2}\\d+ms {2}http://127`, 'm')
    for (let i = 0; i < 10 && !attemptLine.test(r.lastFrame() ?? ''); i++) await press(r, KEY.pageDown)
    frame = await showing(
      r,
      new RegExp(`^── delivery \\S+ → replay:127\\.0\\.0\\.1:${sink.port}: Success \\(replay of event `, 'm'),
    )
    expect(frame).toMatch(new RegExp(`^ {2}attempt \\S+ {2}\\S+ {2}201 {2}\\d+ms {2}http://127`, 'm'))
    expect(frame).toContain('    created')
    expect(frame).not.toContain('No deliveries')

    // Back in the list the row shows the delivery, not "Stored".
    await press(r, KEY.esc)
    await showing(r, / invoice\.paid +Success +/)
  })

  it('e edits the request in the editor, then replays the edited body and headers', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    const sink = await startSink()
    await ingest(src.url, {type: 'invoice.paid', amount: 1200})
    const edited = JSON.stringify({type: 'invoice.paid', amount: 99_999, note: 'edited by hand'})
    const {r, edits} = await mount(t, {
      listenerTarget: sink.url,
      // What a user does in $EDITOR: change a header, add one, rewrite the body.
      editText: (text) =>
        text
          .replace('x-provider-id: abc', 'x-provider-id: changed')
          .replace(/\n\n[\s\S]*$/, `\nx-edited: yes\n\n${edited}`),
    })
    await showing(r, 'invoice.paid')

    await press(r, 'e')
    const [request] = await sink.waitForRequests(1)
    expect(edits).toHaveLength(1)
    expect(edits[0]).toMatch(/^content-type: application\/json\n/m)
    expect(edits[0].endsWith('\n\n{"type":"invoice.paid","amount":1200}')).toBe(true)
    expect(request.body.toString('utf8')).toBe(edited)
    expect(request.headers['x-provider-id']).toBe('changed')
    expect(request.headers['x-edited']).toBe('yes')
    expect(Number(request.headers['content-length'])).toBe(Buffer.byteLength(edited))
    await showing(r, /replayed \S+ to http:\/\/127\.0\.0\.1:\d+\/hooks: HTTP 200/)
  })

  it('e with the editor cancelled sends nothing; a malformed edit is refused', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    const sink = await startSink()
    await ingest(src.url, {type: 'invoice.paid'})
    let answer: string | null = null
    const {r} = await mount(t, {listenerTarget: sink.url, editText: () => answer})
    await showing(r, 'invoice.paid')

    await press(r, 'e')
    await showing(r, 'edit cancelled; nothing sent')
    answer = 'not a header line\n\n{}'
    await press(r, 'e')
    await showing(r, 'edited request: "not a header line" is not a "Name: value" header line')
    // A plain replay after them: once it has arrived, it is the only request the sink got.
    await press(r, 'r')
    await showing(r, /replayed \S+ to http:\/\/127\.0\.0\.1:\d+\/hooks: HTTP 200/)
    expect(sink.requests).toHaveLength(1)
    expect(JSON.parse(sink.requests[0].body.toString())).toEqual({type: 'invoice.paid'})
  })

  it('r without a running listener says so', async () => {
    const t = await useRelay()
    const src = await createSource(t)
    await ingest(src.url, {type: 'invoice.paid'})
    const {r} = await mount(t)
    await showing(r, 'invoice.paid')
    await press(r, 'r')
    await showing(r, 'replay failed: no caravan listen is running for this source')
  })

  it('q quits with nothing copied; ctrl+c quits too, even while typing a filter', async () => {
    const t = await useRelay()
    const first = await mount(t)
    await showing(first.r, 'No events yet.')
    await press(first.r, 'q')
    await waitForFrame(first.r, () => first.exits.length > 0, 'onExit')
    expect(first.exits).toEqual([[]])

    const second = await mount(t)
    await showing(second.r, '● live')
    await press(second.r, '/', 'a', 'b', KEY.ctrlC)
    await waitForFrame(second.r, () => second.exits.length > 0, 'onExit after ctrl+c')
    expect(second.exits).toEqual([[]])
  })
})
