import {statSync} from 'node:fs'
import {join} from 'node:path'

import {DB_FILE} from '../../src/store/db.js'
import {measureFlow, SuccessTracker} from '../flow.js'
import {type Harness, progress} from '../harness.js'
import {addSinkEndpoint, startBenchRelay} from '../relay.js'
import type {Row, Section} from '../report.js'
import {payload, startSink} from '../sink.js'
import {met} from './backlog.js'
import type {Sizes} from './sizes.js'

/** Issue 12 goal 6: a stored event, with its delivery and attempt, costs at most its body + 400 B. */
const OVERHEAD_GOAL_BYTES = 400

interface ObjectSize {
  name: string
  pages: number
  bytes: number
  /** Bytes of row content in it (the rest is page headers, cell pointers and free space). */
  payload: number
}

/** Every table and index with its pages, from SQLite's dbstat virtual table. */
function objectSizes(db: {prepare: (sql: string) => {all: () => unknown[]}}): Map<string, ObjectSize> {
  const rows = db
    .prepare(`SELECT name, COUNT(*) AS pages, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name`)
    .all() as ObjectSize[]
  return new Map(rows.map((row) => [row.name, row]))
}

const fileSize = (path: string) => {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/**
 * Issue 12, goal 6: what a stored event costs. N events go through the real path (POST
 * events/broadcast, delivered to a sink, one attempt each); the store's tables and indexes
 * are measured with dbstat before and after, and the difference divided by N is compared
 * with the stored body's size.
 */
export async function runStoreSize(h: Harness, sizes: Sizes): Promise<Section> {
  return h.scope(async () => {
    const count = sizes.sizeEvents
    const sink = await startSink()
    h.defer('close sink', () => sink.close())
    const dir = h.dir('size')
    const r = await startBenchRelay(h, 'size', {dataDir: dir})
    await addSinkEndpoint(r, sink.url)
    const tracker = new SuccessTracker()
    r.relay.events.on('delivery.updated', ({delivery}) => tracker.record(delivery.id, delivery.status))
    const db = r.relay.db
    const file = join(dir, DB_FILE)
    const checkpoint = () => db.pragma('wal_checkpoint(TRUNCATE)')
    checkpoint()
    const before = objectSizes(db)
    const fileBefore = fileSize(file)
    const pagesBefore = db.pragma('page_count', {simple: true}) as number

    progress(`store size: ${count} events through the relay, then dbstat`)
    const headers = {authorization: `Bearer ${r.apiKey}`, 'content-type': 'application/json'}
    const flow = await measureFlow({
      run: 'size',
      sink,
      origin: r.relay.url,
      count,
      concurrency: h.options.concurrency,
      success: tracker,
      settleTimeoutMs: 60_000,
      build: (seq) => ({
        method: 'POST',
        path: r.p('/events/broadcast'),
        headers,
        body: `{"event_type":"invoice.paid","data":${payload('size', seq)}}`,
      }),
    })
    checkpoint()
    const after = objectSizes(db)
    const fileAfter = fileSize(file)
    const pagesAfter = db.pragma('page_count', {simple: true}) as number
    const pageSize = db.pragma('page_size', {simple: true}) as number
    const stored = db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM events) AS events, (SELECT AVG(LENGTH(body)) FROM events) AS body,
                (SELECT COUNT(*) FROM deliveries) AS deliveries, (SELECT COUNT(*) FROM delivery_attempts) AS attempts`,
      )
      .get() as {events: number; body: number; deliveries: number; attempts: number}
    // The largest row per event: what its biggest columns hold, on average.
    const attemptColumns = db
      .prepare(
        `SELECT AVG(LENGTH(request_headers)) AS request_headers, AVG(LENGTH(response_headers)) AS response_headers,
                AVG(LENGTH(response_body)) AS response_body, AVG(LENGTH(url)) AS url FROM delivery_attempts`,
      )
      .get() as Record<string, number | null>
    const kinds = new Map(
      (
        db.prepare(`SELECT name, type, tbl_name FROM sqlite_master`).all() as {
          name: string
          type: string
          tbl_name: string
        }[]
      ).map((x) => [x.name, x]),
    )

    const n = stored.events
    const grown = [...after.values()]
      .map((o) => {
        const was = before.get(o.name)
        return {
          ...o,
          bytes: o.bytes - (was?.bytes ?? 0),
          pages: o.pages - (was?.pages ?? 0),
          payload: o.payload - (was?.payload ?? 0),
        }
      })
      .filter((o) => o.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes)
    const total = grown.reduce((sum, o) => sum + o.bytes, 0)
    const perEvent = n > 0 ? total / n : null
    const overhead = perEvent === null ? null : perEvent - stored.body
    const describe = (name: string) => {
      const kind = kinds.get(name)
      if (!kind) return name
      return kind.type === 'index' ? `${name} (index on ${kind.tbl_name})` : `${name} (table)`
    }
    const rows: Row[] = [
      {
        label: 'stored body (mean)',
        baseline: true,
        values: {pages: null, bytes: Math.round(stored.body * n), per_event: stored.body, payload: null, share: null},
      },
      ...grown.map((o) => ({
        label: describe(o.name),
        values: {
          pages: o.pages,
          bytes: o.bytes,
          per_event: n ? o.bytes / n : null,
          payload: n ? o.payload / n : null,
          share: total ? `${((o.bytes / total) * 100).toFixed(0)}%` : null,
        },
      })),
      {
        label: 'all tables and indexes',
        values: {
          pages: grown.reduce((sum, o) => sum + o.pages, 0),
          bytes: total,
          per_event: perEvent,
          payload: n ? grown.reduce((sum, o) => sum + o.payload, 0) / n : null,
          share: '100%',
          goal: `<= body + ${OVERHEAD_GOAL_BYTES} B = ${Math.round(stored.body + OVERHEAD_GOAL_BYTES)}`,
          met: met(overhead === null ? null : overhead <= OVERHEAD_GOAL_BYTES),
        },
      },
    ]
    return {
      id: 'size',
      title: `9. Store size (issue 12 goal 6): ${n.toLocaleString('en-US')} events stored through the relay, each with its delivery and attempt`,
      columns: [
        {key: 'pages', header: 'pages'},
        {key: 'bytes', header: 'bytes'},
        {key: 'per_event', header: 'B/event'},
        {key: 'payload', header: 'row bytes/event'},
        {key: 'share', header: 'share'},
        {key: 'goal', header: 'goal'},
        {key: 'met', header: 'met'},
      ],
      rows,
      notes: [
        `growth of each table and index between an empty store (one endpoint, one subscription) and the same store after ${n} events were POSTed to events/broadcast and delivered (SQLite dbstat: pages x ${pageSize} B, WAL checkpointed first); B/event = growth / events; row bytes = the rows' content in those pages (the rest is page and cell headers and free space in partly filled pages).`,
        `per event: ${perEvent?.toFixed(0) ?? '?'} B = body ${stored.body.toFixed(0)} B + ${overhead?.toFixed(0) ?? '?'} B; the DB file grew ${((fileAfter - fileBefore) / Math.max(n, 1)).toFixed(0)} B/event (${pagesAfter - pagesBefore} pages, free pages included).`,
        `store: ${stored.events} events, ${stored.deliveries} deliveries, ${stored.attempts} attempts; ${flow.values.sink_rps === null ? '?' : Math.round(flow.values.sink_rps as number)} delivered/s while filling (not a goal here; section 2 measures it).`,
        `an attempt row's largest columns, mean bytes: ${Object.entries(attemptColumns)
          .map(([column, bytes]) => `${column} ${bytes === null ? '–' : bytes.toFixed(0)}`)
          .join(', ')}.`,
        ...flow.problems,
      ],
      facts: {
        events: stored.events,
        deliveries: stored.deliveries,
        attempts: stored.attempts,
        body_bytes_mean: stored.body,
        bytes_per_event: perEvent,
        overhead_bytes_per_event: overhead,
        objects: grown,
        attempt_columns_mean_bytes: attemptColumns,
        file_bytes_before: fileBefore,
        file_bytes_after: fileAfter,
        page_size: pageSize,
      },
    }
  })
}
