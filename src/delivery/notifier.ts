import {createMetaEvent, recordMetaAttempt, requireMetaEvent} from '../core/meta-events.js'
import {signConvoySimple, signStandardWebhook} from '../signing/index.js'
import type {Db} from '../store/db.js'
import type {Endpoint, MetaEvent, Project} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {asStandardSecret} from './request-builder.js'
import {caravanVersion} from '../version.js'
import {redactIn, redactUrl} from '../relay/redact.js'
import type {SendResult, Sender} from './sender.js'

export type MetaEventType = 'endpoint.disabled' | 'eventdelivery.success' | 'eventdelivery.failed'

/** Seen by taps before a meta event is sent (the Svix API turns some into operational webhooks). */
export type MetaTap = (project: Project, endpoint: Endpoint, type: MetaEventType, data: Record<string, unknown>) => void

/** Where meta events are kept (Convoy's /meta-events): without it they are sent, not stored. */
export interface MetaEventStore {
  db: Db
  /** Group-committed write (the relay's). */
  write: <T>(work: () => T) => Promise<T>
}

/**
 * Tells people when delivery goes wrong: a signed meta event to the project's meta-event
 * URL, a Slack message for disabled endpoints, and a log line. Best effort: a failing
 * notification target never blocks delivery.
 */
export class Notifier {
  private readonly taps: MetaTap[] = []

  constructor(
    private readonly sender: Sender,
    private readonly log: (line: string) => void,
    private readonly store?: MetaEventStore,
  ) {}

  /** Call `tap` with every meta event (synchronously, errors logged). */
  tap(tap: MetaTap): void {
    this.taps.push(tap)
  }

  /**
   * A Svix operational webhook (`{type, timestamp, data}`) to the project's meta-event URL,
   * signed as Svix signs them (svix-id / svix-timestamp / svix-signature with the meta
   * secret), and kept with the project's meta events (listed, resendable). Never rejects.
   */
  async notifySvix(project: Project, type: string, data: Record<string, unknown>, now = Date.now()): Promise<void> {
    const meta = project.config.meta_event
    if (!meta.is_enabled || !meta.url || (meta.event_type.length > 0 && !meta.event_type.includes(type))) return
    try {
      const body = Buffer.from(JSON.stringify({type, timestamp: new Date(now).toISOString(), data}))
      const stored = await this.keep(project, type, meta.url, body)
      await this.deliverMeta(project, meta.url, type, body, stored, 'svix', now)
    } catch (error) {
      this.log(`${type} operational webhook failed: ${(error as Error).message}`)
    }
  }

  /**
   * Send a stored meta event again (Convoy's resend): the same bytes, signed with the
   * project's current meta-event secret, to its current meta-event URL (else the one it went to).
   */
  async resend(project: Project, id: string): Promise<MetaEvent> {
    if (!this.store) throw new Error('meta events are not stored by this notifier')
    const event = requireMetaEvent(this.store.db, project.id, id)
    const url = project.config.meta_event.url || event.url
    return this.deliverMeta(project, url, event.event_type, event.body, event, metaScheme(event.body))
  }

  /** Never rejects: callers fire and forget, and a failed notification must not stop the relay. */
  async notify(
    project: Project,
    endpoint: Endpoint,
    type: MetaEventType,
    data: Record<string, unknown>,
  ): Promise<void> {
    for (const tap of this.taps) {
      try {
        tap(project, endpoint, type, data)
      } catch (error) {
        this.log(`${type} tap failed: ${(error as Error).message}`)
      }
    }
    try {
      await this.send(project, endpoint, type, data)
    } catch (error) {
      this.log(`${type} notification for endpoint ${endpoint.id} failed: ${(error as Error).message}`)
    }
  }

  private async send(
    project: Project,
    endpoint: Endpoint,
    type: MetaEventType,
    data: Record<string, unknown>,
  ): Promise<void> {
    const meta = project.config.meta_event
    const jobs: Promise<unknown>[] = []
    if (meta.is_enabled && meta.url && (meta.event_type.length === 0 || meta.event_type.includes(type))) {
      const body = Buffer.from(JSON.stringify({event_type: type, data, created_at: new Date().toISOString()}))
      const stored = await this.keep(project, type, meta.url, body)
      jobs.push(this.deliverMeta(project, meta.url, type, body, stored, 'convoy'))
    }
    if (type === 'endpoint.disabled') {
      this.log(
        `endpoint ${endpoint.name} (${endpoint.id}) disabled: ${String(data.reason ?? '')}; re-enable with: caravan endpoints activate ${endpoint.id}`,
      )
      if (endpoint.slack_webhook_url) {
        const text = `Caravan disabled endpoint *${endpoint.name}* (${endpoint.url}): ${String(data.reason ?? '')}. Re-enable with \`caravan endpoints activate ${endpoint.id}\`.`
        jobs.push(
          this.post(
            endpoint.slack_webhook_url,
            {'content-type': 'application/json'},
            Buffer.from(JSON.stringify({text})),
            'Slack notification',
          ),
        )
      }
    }
    await Promise.all(jobs)
  }

  /** Kept with the project's meta events when there is a store. */
  private async keep(project: Project, type: string, url: string, body: Buffer): Promise<MetaEvent | undefined> {
    const store = this.store
    return store
      ? await store.write(() => createMetaEvent(store.db, {projectId: project.id, type, url, body}))
      : undefined
  }

  /** One send of a meta event, recorded on it when it is stored. */
  private async deliverMeta<T extends MetaEvent | undefined>(
    project: Project,
    url: string,
    type: string,
    body: Buffer,
    stored: T,
    scheme: MetaScheme,
    now = Date.now(),
  ): Promise<T> {
    const headers =
      scheme === 'svix'
        ? svixMetaHeaders(project, body, stored?.id ?? ulid(now), now)
        : convoyMetaHeaders(project, type, body)
    const result = await this.post(
      url,
      headers,
      body,
      `${scheme === 'svix' ? 'operational webhook' : 'meta event'} ${type}`,
    )
    const store = this.store
    if (!stored || !store) return stored
    return (await store.write(() =>
      recordMetaAttempt(store.db, stored, {
        url,
        requestHeaders: headers,
        status: result.status,
        headers: result.headers,
        body: result.body,
        error: result.error,
        latencyMs: result.latencyMs,
      }),
    )) as T
  }

  private async post(url: string, headers: Record<string, string>, body: Buffer, what: string): Promise<SendResult> {
    const result = await this.sender.send({url, method: 'POST', headers, body}, 10_000)
    if (result.status === null || result.status < 200 || result.status >= 300) {
      // Webhook URLs are credentials (a Slack token, a signed query): never log them whole.
      this.log(`${what} to ${redactUrl(url)} failed: ${redactIn(result.error || `HTTP ${result.status}`, url)}`)
    }
    return result
  }
}

/** How a meta event is signed: Convoy's meta events, or Svix's operational webhooks. */
type MetaScheme = 'convoy' | 'svix'

/** A stored meta event's scheme, from its body: Svix's carry `type`, Convoy's `event_type`. */
function metaScheme(body: Buffer): MetaScheme {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as {type?: unknown; event_type?: unknown}
    return typeof parsed.type === 'string' && parsed.event_type === undefined ? 'svix' : 'convoy'
  } catch {
    return 'convoy'
  }
}

const baseHeaders = (): Record<string, string> => ({
  'content-type': 'application/json',
  'user-agent': `Caravan/${caravanVersion()}`,
})

/** Signed like the project's own deliveries, so one verifier serves both. */
function convoyMetaHeaders(project: Project, type: string, body: Buffer): Record<string, string> {
  const meta = project.config.meta_event
  const headers: Record<string, string> = {...baseHeaders(), 'x-convoy-meta-event-type': type}
  const version = project.config.signature.versions.at(-1)
  if (meta.secret) {
    headers[project.config.signature.header || 'X-Convoy-Signature'] = signConvoySimple({
      secret: meta.secret,
      payload: body,
      hash: version?.hash,
      encoding: version?.encoding,
    })
  }
  return headers
}

/** Svix's operational-webhook signature; the id stays the stored meta event's across resends. */
function svixMetaHeaders(project: Project, body: Buffer, id: string, now: number): Record<string, string> {
  const meta = project.config.meta_event
  const headers = baseHeaders()
  if (meta.secret) {
    const msgId = `msg_${id}`
    const timestamp = Math.floor(now / 1000)
    headers['svix-id'] = msgId
    headers['svix-timestamp'] = String(timestamp)
    headers['svix-signature'] = signStandardWebhook({
      id: msgId,
      timestamp,
      payload: body,
      secrets: [asStandardSecret(meta.secret)],
    })
  }
  return headers
}
