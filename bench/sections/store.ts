import {statSync} from 'node:fs'
import {join} from 'node:path'

import {Pool} from 'undici'

import {deliveryStatusesByEvent, listEvents} from '../../src/core/events.js'
import {listDeliveries} from '../../src/core/deliveries.js'
import {bootstrapStore} from '../../src/relay/bootstrap.js'
import {DB_FILE, type Db, openDb} from '../../src/store/db.js'
import {nowIso} from '../../src/store/json.js'
import type {PageQuery} from '../../src/store/paginate.js'
import {endpoints, subscriptions} from '../../src/store/resources.js'
import {ulid, ulidFloor} from '../../src/util/ulid.js'
import {type Harness, progress} from '../harness.js'
import {startBenchRelay} from '../relay.js'
import type {Row, Section} from '../report.js'
import {payload} from '../sink.js'
import {median, summarize} from '../stats.js'
import type {Sizes} from './sizes.js'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
const DAY = 24 * 3600 * 1000
const SPAN = 30 * DAY
const EVENT_TYPES = ['invoice.paid', 'invoice.created', 'customer.updated', 'charge.refunded', 'payout.sent']

/** A valid ULID for time `ms` whose random part is `n` in base 32 (unique, sortable). */
function seedId(ms: number, n: number): string {
  let suffix = ''
  let rest = n
  for (let i = 0; i < 16; i++) {
    suffix = ALPHABET[rest % 32] + suffix
    rest = Math.floor(rest / 32)
  }
  return ulidFloor(ms).slice(0, 10) + suffix
}

interface Seeded {
  projectId: string
  count: number
  seedMs: number
  /** Creation time of event i. */
  timeOf: (i: number) => number
  idOf: (i: number) => string
  failures: number
}

/**
 * Fill a fresh store with `count` events spread over the last 30 days, one delivery each
 * (2% Failure, the rest Success), straight through better-sqlite3 in one transaction.
 * Loading is not what we measure, so it runs with synchronous=OFF and a rollback journal;
 * the relay reopens the file with its own settings (WAL, FULL) afterwards.
 */
function seedStore(dir: string, apiKey: string, count: number): Seeded {
  const db: Db = openDb(dir)
  try {
    const {defaultProjectId: projectId} = bootstrapStore(db, {apiKey})
    const now = nowIso()
    const endpoint = endpoints.insert(db, {
      id: ulid(),
      kind: 'http',
      project_id: projectId,
      name: 'seeded',
      url: 'http://127.0.0.1:9/hook',
      description: '',
      owner_id: '',
      status: 'active',
      secrets: [{uid: ulid(), value: 'bench-secret', created_at: now, updated_at: now, expires_at: null}],
      http_timeout: 30,
      rate_limit: 0,
      rate_limit_duration: 60,
      authentication: null,
      advanced_signatures: false,
      content_type: 'application/json',
      slack_webhook_url: '',
      support_email: '',
      created_at: now,
      updated_at: now,
    })
    const subscription = subscriptions.insert(db, {
      id: ulid(),
      project_id: projectId,
      name: 'seeded',
      type: 'api',
      endpoint_id: endpoint.id,
      source_id: null,
      filter_config: {event_types: ['*'], filter: {body: {}, headers: {}}},
      created_at: now,
      updated_at: now,
    })
    db.pragma('journal_mode = DELETE')
    db.pragma('synchronous = OFF')
    db.pragma('cache_size = -262144')
    const start = Date.now() - SPAN - 3600_000
    const timeOf = (i: number) => start + Math.floor((i * SPAN) / count)
    const idOf = (i: number) => seedId(timeOf(i), 2 * i)
    const insertEvent = db.prepare(
      `INSERT INTO events (id, project_id, source_id, event_type, method, url_path, url_query, headers, body, idempotency_key, is_duplicate, verification_error, target_endpoint_ids, created_at, updated_at)
       VALUES (?, ?, NULL, ?, 'POST', '', '', ?, ?, NULL, 0, NULL, ?, ?, ?)`,
    )
    const insertDelivery = db.prepare(
      `INSERT INTO deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type, status, mode, attempts, retry_limit, next_attempt_at, latency_ms, description, idempotency_key, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'push', 1, 10, ?, 12, ?, NULL, ?, ?)`,
    )
    // Secondary indexes are dropped for the load and rebuilt from their own stored SQL
    // after it (same schema, about half the load time).
    const indexes = db
      .prepare(
        `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'deliveries') AND sql IS NOT NULL`,
      )
      .all() as {name: string; sql: string}[]
    const headers = JSON.stringify({'content-type': ['application/json']})
    const targets = JSON.stringify([endpoint.id])
    let failures = 0
    const t0 = performance.now()
    db.transaction(() => {
      for (const index of indexes) db.exec(`DROP INDEX ${index.name}`)
      for (let i = 0; i < count; i++) {
        const t = timeOf(i)
        const at = new Date(t).toISOString()
        const eventId = idOf(i)
        const type = EVENT_TYPES[i % EVENT_TYPES.length]
        insertEvent.run(eventId, projectId, type, headers, Buffer.from(payload('seed', i)), targets, at, at)
        const failed = i % 50 === 7
        if (failed) failures++
        insertDelivery.run(
          seedId(t, 2 * i + 1),
          projectId,
          eventId,
          endpoint.id,
          subscription.id,
          type,
          failed ? 'Failure' : 'Success',
          t,
          failed ? 'HTTP 500' : '',
          at,
          at,
        )
      }
      for (const index of indexes) db.exec(index.sql)
    })()
    return {projectId, count, seedMs: performance.now() - t0, timeOf, idOf, failures}
  } finally {
    db.close()
  }
}

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
export async function runStore(h: Harness, sizes: Sizes): Promise<Section> {
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
