import {statSync} from 'node:fs'
import {join} from 'node:path'

import {Pool} from 'undici'

import {deliveryStatusesByEvent, listEvents} from '../../src/core/events.js'
import {listDeliveries} from '../../src/core/deliveries.js'
import {DB_FILE} from '../../src/store/db.js'
import type {PageQuery} from '../../src/store/paginate.js'
import {type Harness, progress} from '../harness.js'
import {startBenchRelay} from '../relay.js'
import {DAY, seedStore} from '../seed.js'
import type {Row, Section} from '../report.js'
import {median, summarize} from '../stats.js'
import type {Sizes} from './sizes.js'
import type {SeededRelay} from './web.js'

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

const isoNoZone = (ms: number) => new Date(ms).toISOString().slice(0, 19)

/**
 * Store queries on a large store: the list views a user pages through, over the API
 * (median of N sequential runs) and as the bare store call, against GET /healthz as the
 * HTTP floor.
 */
export async function runStore(
  h: Harness,
  sizes: Sizes,
  /** Runs while the relay is still up on the seeded store (the web section opens the dashboard on it). */
  onSeeded?: (relay: SeededRelay) => Promise<void>,
): Promise<Section> {
  return h.scope(async () => {
    const dir = h.dir('store')
    const apiKey = `bench-store-${Date.now()}`
    progress(`store: seeding ${sizes.storeEvents.toLocaleString('en-US')} events + deliveries`)
    const seeded = seedStore(dir, apiKey, sizes.storeEvents)
    progress(`store: seeded in ${(seeded.seedMs / 1000).toFixed(1)}s; starting the relay on it`)
    const r = await startBenchRelay(h, 'store-relay', {dataDir: dir, deliver: false})
    const db = r.relay.db
    const pid = seeded.projectId
    const pool = new Pool(r.relay.url, {connections: 1})
    h.defer('close query pool', () => pool.close())
    // The relay replaced the seeding key with its own admin key on start.
    const auth = {authorization: `Bearer ${r.apiKey}`}

    const middle = Math.floor(seeded.count / 2)
    const cursor = seeded.idOf(middle)
    const windowStart = seeded.timeOf(Math.floor(seeded.count * 0.4))
    const window = {startDate: isoNoZone(windowStart), endDate: isoNoZone(windowStart + DAY / 4)}
    const page = (q: Partial<PageQuery> = {}): PageQuery => ({perPage: 50, direction: 'next', sort: 'DESC', ...q})

    interface Query {
      label: string
      path: string
      auth: boolean
      store?: () => number
    }
    const ev = `/api/v1/projects/${pid}/events`
    const queries: Query[] = [
      {label: 'GET /healthz (HTTP floor)', path: '/healthz', auth: false},
      {
        label: 'events, newest 50',
        path: `${ev}?perPage=50`,
        auth: true,
        store: () => {
          const p = listEvents(db, pid, page(), {})
          deliveryStatusesByEvent(
            db,
            p.content.map((e) => e.id),
          )
          return p.content.length
        },
      },
      {
        label: 'events, deep cursor (middle)',
        path: `${ev}?perPage=50&next_page_cursor=${cursor}`,
        auth: true,
        store: () => {
          const p = listEvents(db, pid, page({cursor}), {})
          deliveryStatusesByEvent(
            db,
            p.content.map((e) => e.id),
          )
          return p.content.length
        },
      },
      {
        label: 'events, startDate..endDate (6h)',
        path: `${ev}?perPage=50&startDate=${window.startDate}&endDate=${window.endDate}`,
        auth: true,
        store: () => {
          const p = listEvents(db, pid, page(), window)
          deliveryStatusesByEvent(
            db,
            p.content.map((e) => e.id),
          )
          return p.content.length
        },
      },
      {
        label: 'eventdeliveries?status=Failure',
        path: `/api/v1/projects/${pid}/eventdeliveries?status=Failure&perPage=50`,
        auth: true,
        store: () => listDeliveries(db, pid, page(), {status: ['Failure']}).content.length,
      },
    ]

    progress(`store: ${queries.length} queries x ${sizes.queryRuns} runs`)
    const rows: Row[] = []
    const facts: Record<string, unknown> = {}
    for (const q of queries) {
      const times: number[] = []
      let rowsReturned: number | null = null
      let status = 0
      for (let run = -2; run < sizes.queryRuns; run++) {
        const t0 = performance.now()
        const res = await pool.request({method: 'GET', path: q.path, headers: q.auth ? auth : {}})
        const text = await res.body.text()
        const ms = performance.now() - t0
        status = res.statusCode
        if (run < 0) continue
        times.push(ms)
        if (q.auth) rowsReturned = ((JSON.parse(text) as {data?: {content?: unknown[]}}).data?.content ?? []).length
      }
      const storeTimes: number[] = []
      if (q.store) {
        for (let run = -2; run < sizes.queryRuns; run++) {
          const t0 = performance.now()
          q.store()
          if (run >= 0) storeTimes.push(performance.now() - t0)
        }
      }
      const s = summarize(times)
      rows.push({
        label: q.label,
        baseline: !q.auth,
        values: {
          runs: times.length,
          median_ms: s.p50,
          min_ms: s.min,
          max_ms: s.max,
          store_ms: q.store ? median(storeTimes) : null,
          rows: rowsReturned,
          http: status,
        },
      })
      facts[q.label] = {path: q.path, api_ms: s, store_ms: q.store ? summarize(storeTimes) : null}
    }
    if (onSeeded) {
      const res = await pool.request({method: 'GET', path: `${ev}?perPage=1`, headers: auth})
      const newest = (JSON.parse(await res.body.text()) as {data: {content: {uid: string}[]}}).data.content[0]
      await onSeeded({url: r.relay.url, apiKey: r.apiKey, projectId: pid, events: seeded.count, newestId: newest.uid})
    }
    const file = join(dir, DB_FILE)
    const sizesOnDisk = {db: fileSize(file), wal: fileSize(`${file}-wal`), shm: fileSize(`${file}-shm`)}
    const mib = (n: number) => (n / 1024 / 1024).toFixed(1)
    return {
      id: 'store',
      title: `4. Store queries: ${seeded.count.toLocaleString('en-US')} events + ${seeded.count.toLocaleString('en-US')} deliveries`,
      columns: [
        {key: 'runs', header: 'runs'},
        {key: 'median_ms', header: 'API median ms'},
        {key: 'min_ms', header: 'min ms'},
        {key: 'max_ms', header: 'max ms'},
        {key: 'store_ms', header: 'store call ms'},
        {key: 'rows', header: 'rows'},
        {key: 'http', header: 'HTTP'},
      ],
      rows,
      notes: [
        `DB file ${mib(sizesOnDisk.db)} MiB (+ WAL ${mib(sizesOnDisk.wal)} MiB) = ${((sizesOnDisk.db + sizesOnDisk.wal) / seeded.count).toFixed(0)} bytes per event with its delivery (no attempts stored).`,
        `seeded in ${(seeded.seedMs / 1000).toFixed(1)}s (${Math.round(seeded.count / (seeded.seedMs / 1000)).toLocaleString('en-US')} events+deliveries/s, one transaction, synchronous=OFF, secondary indexes built after the rows; not a relay figure). Events span 30 days; ${seeded.failures.toLocaleString('en-US')} deliveries are Failure (2%).`,
        `API = sequential GETs over one keep-alive connection, after 2 warm-up runs; store call = the same core list function in-process (no HTTP, no JSON).`,
        `deep cursor = next_page_cursor at the middle event; window = ${window.startDate}..${window.endDate} (UTC).`,
      ],
      facts: {
        ...facts,
        file_bytes: sizesOnDisk,
        seed_ms: seeded.seedMs,
        events: seeded.count,
        failures: seeded.failures,
      },
    }
  })
}
