import {newEndpointRecord} from '../../src/core/endpoints.js'
import type {Db} from '../../src/store/db.js'
import {endpoints} from '../../src/store/resources.js'
import type {DeliveryStatus} from '../../src/store/types.js'
import {ulidAt} from '../helpers/old-store.js'

export const DAY_MS = 86_400_000

/** An endpoint to hang seeded deliveries on (deliveries reference a real endpoint). */
export function seedEndpoint(db: Db, projectId: string): string {
  return endpoints.insert(db, newEndpointRecord(projectId, {kind: 'http', url: 'http://127.0.0.1:9/none'})).id
}

export interface SeedOptions {
  projectId: string
  endpointId: string
  count: number
  /** When the events were created (ms). */
  at: number
  /** Status of each event's one delivery; null: the event has no deliveries. */
  status: DeliveryStatus | null
  /** Attempts recorded per delivery. */
  attempts?: number
  bodyBytes?: number
}

/**
 * Store `count` events as they would be after delivery, in one transaction with plain
 * inserts: building 100k events through the API would take minutes, and retention only
 * reads what is in the tables.
 */
export function seedEvents(db: Db, o: SeedOptions): string[] {
  const created = new Date(o.at).toISOString()
  const body = Buffer.alloc(o.bodyBytes ?? 200, 'x')
  const event = db.prepare(`INSERT INTO events (id, project_id, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`)
  const delivery = db.prepare(
    `INSERT INTO deliveries (id, project_id, event_id, endpoint_id, subscription_id, status, attempts, retry_limit, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'sub', ?, ?, 3, ?, ?, ?)`,
  )
  const attempt = db.prepare(
    `INSERT INTO delivery_attempts (id, project_id, delivery_id, endpoint_id, url, method, request_headers, response_status, created_at)
     VALUES (?, ?, ?, ?, 'http://127.0.0.1:9/none', 'POST', '{}', 200, ?)`,
  )
  const ids: string[] = []
  db.transaction(() => {
    for (let i = 0; i < o.count; i++) {
      const id = ulidAt(o.at)
      ids.push(id)
      event.run(id, o.projectId, body, created, created)
      if (o.status === null) continue
      const deliveryId = ulidAt(o.at)
      const n = o.attempts ?? 1
      delivery.run(deliveryId, o.projectId, id, o.endpointId, o.status, n, o.at, created, created)
      for (let a = 0; a < n; a++) attempt.run(ulidAt(o.at), o.projectId, deliveryId, o.endpointId, created)
    }
  })()
  return ids
}

export function countRows(db: Db, projectId?: string): {events: number; deliveries: number; attempts: number} {
  const where = projectId ? ' WHERE project_id = ?' : ''
  const args = projectId ? [projectId] : []
  const n = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}${where}`).get(...args) as {n: number}).n
  return {events: n('events'), deliveries: n('deliveries'), attempts: n('delivery_attempts')}
}
