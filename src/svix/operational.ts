import type {Notifier} from '../delivery/notifier.js'
import type {RelayEvents} from '../relay/relay-events.js'
import type {Db} from '../store/db.js'
import {getProject} from '../store/projects.js'
import {attempts, endpoints, svixApps} from '../store/resources.js'
import type {Delivery, DeliveryAttempt, Endpoint, Project, SvixApp} from '../store/types.js'
import {events} from '../store/resources.js'

/** Svix's attempt count at which a message is "failing" (its fourth failed attempt). */
export const FAILING_AFTER_ATTEMPTS = 4

export type EndpointOperation = 'endpoint.created' | 'endpoint.updated' | 'endpoint.deleted'

/**
 * Svix's operational webhooks, sent through the relay's meta-event notifier to the
 * project's meta-event URL: endpoint.created|updated|deleted (from the Svix API),
 * endpoint.disabled and message.attempt.exhausted|failing|recovered (from delivery).
 */
export class SvixOperational {
  private readonly onUpdated = (update: {delivery: Delivery; attempt?: DeliveryAttempt}) => this.delivered(update)

  constructor(
    private readonly db: Db,
    private readonly notifier: Notifier,
    private readonly relayEvents: RelayEvents,
  ) {
    notifier.tap((project, endpoint, type, data) => {
      if (!endpoint.svix) return
      if (type === 'endpoint.disabled') {
        const app = this.app(endpoint)
        if (app)
          void this.notifier.notifySvix(project, 'endpoint.disabled', {
            ...ids(app, endpoint),
            failSince: new Date().toISOString(),
          })
      }
      if (type === 'eventdelivery.failed' && typeof data.delivery_id === 'string')
        this.attemptEvent(project, endpoint, String(data.delivery_id), 'message.attempt.exhausted')
    })
    relayEvents.on('delivery.updated', this.onUpdated)
  }

  stop(): void {
    this.relayEvents.off('delivery.updated', this.onUpdated)
  }

  endpointChanged(project: Project, app: SvixApp, endpoint: Endpoint, type: EndpointOperation): void {
    void this.notifier.notifySvix(project, type, ids(app, endpoint))
  }

  private app(endpoint: Endpoint): SvixApp | undefined {
    return svixApps.get(this.db, endpoint.project_id, endpoint.owner_id)
  }

  /** failing on the fourth failed attempt; recovered on a success after a message was failing. */
  private delivered({delivery, attempt}: {delivery: Delivery; attempt?: DeliveryAttempt}): void {
    if (!attempt) return
    try {
      // Every delivery passes here: most are not to a Svix application's endpoint (a cached read).
      const endpoint = endpoints.get(this.db, delivery.project_id, delivery.endpoint_id)
      if (!endpoint?.svix) return
      const project = getProject(this.db, delivery.project_id)
      if (!project) return
      if (delivery.status === 'Retry' && delivery.attempts === FAILING_AFTER_ATTEMPTS)
        this.attemptEvent(project, endpoint, delivery.id, 'message.attempt.failing')
      if (delivery.status === 'Success' && this.failedAttempts(delivery) >= FAILING_AFTER_ATTEMPTS)
        this.attemptEvent(project, endpoint, delivery.id, 'message.attempt.recovered')
    } catch {
      // Best effort, as every meta event: delivery goes on whatever happens here.
    }
  }

  /** Failed attempts of this message to this endpoint, over all its deliveries (resends included). */
  private failedAttempts(delivery: Delivery): number {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
         WHERE d.event_id = ? AND d.endpoint_id = ? AND (a.response_status IS NULL OR a.response_status NOT BETWEEN 200 AND 299)`,
      )
      .get(delivery.event_id, delivery.endpoint_id) as {n: number}
    return row.n
  }

  private attemptEvent(project: Project, endpoint: Endpoint, deliveryId: string, type: string): void {
    const app = this.app(endpoint)
    const last = attempts.find(this.db, ['delivery_id = ?'], [deliveryId]).at(-1)
    const delivery = this.db.prepare(`SELECT event_id FROM deliveries WHERE id = ?`).get(deliveryId) as
      {event_id: string} | undefined
    if (!app || !last || !delivery) return
    const message = events.get(this.db, project.id, delivery.event_id)
    void this.notifier.notifySvix(project, type, {
      appId: app.id,
      appUid: app.uid,
      endpointId: endpoint.id,
      msgId: delivery.event_id,
      msgEventId: message?.event_uid ?? null,
      lastAttempt: {id: last.id, responseStatusCode: last.response_status ?? 0, timestamp: last.created_at},
    })
  }
}

function ids(app: SvixApp, endpoint: Endpoint) {
  return {appId: app.id, appUid: app.uid, endpointId: endpoint.id, endpointUid: endpoint.svix?.uid ?? null}
}
