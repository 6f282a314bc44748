/**
 * Large stores for the bench: events and deliveries written straight through
 * better-sqlite3, with the relay's own schema, for the sections that read them back.
 */
import {bootstrapStore} from '../src/relay/bootstrap.js'
import {type Db, openDb} from '../src/store/db.js'
import {nowIso} from '../src/store/json.js'
import {endpoints, subscriptions} from '../src/store/resources.js'
import {ulid, ulidFloor} from '../src/util/ulid.js'
import {payload} from './sink.js'

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
export const DAY = 24 * 3600 * 1000
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

export interface Seeded {
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
export function seedStore(dir: string, apiKey: string, count: number): Seeded {
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
      max_in_flight: null,
      authentication: null,
      mtls_client_cert: null,
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
      status: 'active',
      delivery_mode: 'at_least_once',
      rate_limit_config: null,
      function: '',
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
