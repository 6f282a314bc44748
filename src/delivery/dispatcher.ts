import type {RelayEvents} from '../relay/relay-events.js'
import {type Backoff, StoreHealth} from '../relay/store-health.js'
import {cachedRead} from '../store/config-cache.js'
import {atomic, type Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import {getProject} from '../store/projects.js'
import {attempts, deliveries, endpoints, events} from '../store/resources.js'
import {prepared} from '../store/table.js'
import type {Delivery, DeliveryAttempt, DeliveryStatus, Endpoint, EventRecord, Project} from '../store/types.js'
import {ulid} from '../util/ulid.js'
import {CircuitBreaker, type CircuitState} from './circuit-breaker.js'
import type {Notifier} from './notifier.js'
import {DEFAULT_PER_ENDPOINT_IN_FLIGHT} from '../core/delivery-limits.js'
import {applyTransforms, deliveryTransforms, type DeliveryTransforms, type Transformed} from '../transform/apply.js'
import type {Sandbox} from '../transform/sandbox.js'
import {type RateLimitConfig, RateLimiterRegistry} from './rate-limiter.js'
import {buildDeliveryRequest} from './request-builder.js'
import {type AttemptOutcome, nextRetry, type RetryDecision, retryScheduleFor} from './retry-policy.js'
import type {SendResult, Sender} from './sender.js'

export interface DispatcherOptions {
  db: Db
  events: RelayEvents
  sender: Sender
  notifier: Notifier
  log: (line: string) => void
  now?: () => number
  /** Requests in flight across all endpoints. */
  maxInFlight?: number
  /** Requests in flight to one endpoint. */
  perEndpointInFlight?: number
  /** Durable write shared with other writers (the relay's group commit); default: one transaction each. */
  write?: <T>(work: () => T) => Promise<T>
  /** Longest sleep between looks at the queue when nothing is due. */
  idlePollMs?: number
  /** Where store failures are reported (shared with the relay's other parts); default: its own. */
  health?: StoreHealth
  /** Where transformation functions run (the relay's); without one, a delivery with a function fails. */
  sandbox?: Sandbox
}

/** A store write the dispatcher owes (a result to record, a claim to undo), retried until it commits. */
type StoreDebt = () => Promise<void>

const DUE_BATCH = 256

export {DEFAULT_PER_ENDPOINT_IN_FLIGHT}

/** An endpoint's own cap on deliveries in flight (null: the dispatcher's default). */
const ENDPOINT_CAP_SQL = `SELECT max_in_flight AS cap FROM endpoints WHERE id = ?`

/** Which rows the due indexes hold (their partial WHERE): a query must repeat it to use them. */
const WAITING = `status IN ('Scheduled', 'Retry') AND mode = 'push'`

/**
 * Endpoints with waiting push deliveries, one index probe each (a loose index scan over
 * deliveries_due_endpoint), instead of a DISTINCT over every waiting row.
 */
const DUE_ENDPOINTS_SQL = `WITH RECURSIVE e(id) AS (
  SELECT (SELECT MIN(endpoint_id) FROM deliveries WHERE ${WAITING})
  UNION ALL
  SELECT (SELECT MIN(endpoint_id) FROM deliveries WHERE ${WAITING} AND endpoint_id > e.id) FROM e WHERE e.id IS NOT NULL
) SELECT id FROM e WHERE id IS NOT NULL`

const DUE_FOR_ENDPOINT_SQL = `SELECT * FROM deliveries INDEXED BY deliveries_due_endpoint WHERE endpoint_id = ? AND ${WAITING} AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`
const SUBSCRIPTION_LIMIT_SQL = `SELECT rate_limit_config FROM subscriptions WHERE id = ?`
const CLAIM_SQL = `UPDATE deliveries SET status = 'Processing', updated_at = ? WHERE id = ? AND status IN ('Scheduled', 'Retry')`
const NEXT_DUE_SQL = `SELECT MIN(next_attempt_at) AS next FROM deliveries WHERE ${WAITING}`
const NEXT_DUE_AFTER_SQL = `SELECT MIN(next_attempt_at) AS next FROM deliveries WHERE ${WAITING} AND next_attempt_at > ?`
/** The queries of every look at the queue, for tests that check their plans. */
export const DUE_QUERIES = {
  endpoints: DUE_ENDPOINTS_SQL,
  forEndpoint: DUE_FOR_ENDPOINT_SQL,
  next: NEXT_DUE_SQL,
  nextAfter: NEXT_DUE_AFTER_SQL,
}

const SET_STATUS_SQL = `UPDATE deliveries SET status = ?, attempts = ?, next_attempt_at = ?, latency_ms = ?, description = ?, updated_at = ? WHERE id = ?`
const POSTPONE_SQL = `UPDATE deliveries SET next_attempt_at = ? WHERE id = ? AND status IN ('Scheduled', 'Retry')`

/** The outcome code of an attempt the open breaker did not send. */
const CIRCUIT_OPEN = 'CIRCUIT_OPEN'

interface TurnedAway {
  project: Project
  endpoint: Endpoint
  delivery: Delivery
  attempt: DeliveryAttempt
  action: RetryDecision['action']
  disable?: string
}

/**
 * Moves deliveries through Scheduled → Processing → Success | Retry → … → Failure (or
 * Discarded for paused/inactive endpoints). The store is the queue: every state change
 * is written before it is acted on, so a crash loses nothing acknowledged.
 */
export class Dispatcher {
  private readonly now: () => number
  private readonly maxInFlight: number
  private readonly perEndpoint: number
  private readonly idlePollMs: number
  private readonly limiters: RateLimiterRegistry
  private readonly breakers = new Map<string, {key: string; breaker: CircuitBreaker}>()
  private readonly inFlight = new Map<string, Promise<void>>()
  private readonly inFlightByEndpoint = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private tickQueued = false
  /** The look at the queue waiting for its write, if any: one at a time. */
  private looking: Promise<void> | undefined
  private lookAgain = false
  /** Which endpoint the next look serves first. */
  private rotation = 0
  private stopping = false
  private abandoned = false
  private readonly onScheduled = () => this.wake()

  private readonly write: <T>(work: () => T) => Promise<T>
  private readonly health: StoreHealth
  /** Back-off of the queue loop while the store fails. */
  private readonly loopBackoff: Backoff
  private readonly debtBackoff: Backoff
  /**
   * Results sent but not yet recorded (and claims to undo), by delivery id, oldest first.
   * While any is owed no new delivery is claimed; a stop leaves their deliveries
   * Processing, and the next start sends them again (at-least-once).
   */
  private readonly debts = new Map<string, StoreDebt>()
  private debtTimer: NodeJS.Timeout | undefined
  private payingDebts = false
  private recovered = false
  private lastLoopError = ''
  private offRecovered: () => void = () => undefined

  constructor(private readonly opts: DispatcherOptions) {
    this.write = opts.write ?? (async (work) => atomic(opts.db, work))
    this.now = opts.now ?? Date.now
    this.maxInFlight = opts.maxInFlight ?? 128
    this.perEndpoint = opts.perEndpointInFlight ?? DEFAULT_PER_ENDPOINT_IN_FLIGHT
    this.idlePollMs = opts.idlePollMs ?? 1000
    this.limiters = new RateLimiterRegistry({now: this.now})
    this.health = opts.health ?? new StoreHealth({log: opts.log})
    this.loopBackoff = this.health.backoff()
    this.debtBackoff = this.health.backoff()
  }

  /**
   * Deliveries a crash left in Processing are sent again: at-least-once. Those of
   * at_most_once subscriptions may have gone out already, so they fail instead.
   */
  recover(): number {
    const db = this.opts.db
    const at = nowIso(this.now())
    return db.transaction(() => {
      const atMostOnce = db
        .prepare(
          `UPDATE deliveries SET status = 'Failure', description = ?, updated_at = ? WHERE status = 'Processing' AND mode = 'push' AND subscription_id IN (SELECT id FROM subscriptions WHERE delivery_mode = 'at_most_once')`,
        )
        .run('at_most_once: in flight when the relay stopped, so not sent again', at)
      const result = db
        .prepare(
          `UPDATE deliveries SET status = CASE WHEN attempts = 0 THEN 'Scheduled' ELSE 'Retry' END, next_attempt_at = ?, updated_at = ? WHERE status = 'Processing' AND mode = 'push'`,
        )
        .run(this.now(), at)
      return result.changes + atMostOnce.changes
    })()
  }

  start(): void {
    this.opts.events.on('deliveries.scheduled', this.onScheduled)
    this.offRecovered = this.health.onRecovered(() => this.retryNow())
    this.wake()
  }

  /** The store took a write again: stop waiting out the back-off. */
  private retryNow(): void {
    if (this.stopping) return
    this.loopBackoff.reset()
    this.debtBackoff.reset()
    if (this.debtTimer) clearTimeout(this.debtTimer)
    this.debtTimer = undefined
    if (this.debts.size) void this.payDebts()
    else this.wake()
  }

  /** Run once before the first look at the queue (retried with the loop if the store fails). */
  private recoverOnce(): void {
    if (this.recovered) return
    const recovered = this.recover()
    this.recovered = true
    if (recovered) this.opts.log(`rescheduled ${recovered} deliveries left in flight by an earlier stop`)
  }

  /** Look at the queue soon (coalesced). */
  wake(): void {
    if (this.stopping || this.tickQueued) return
    this.tickQueued = true
    setImmediate(() => {
      this.tickQueued = false
      this.tick()
    })
  }

  get inFlightCount(): number {
    return this.inFlight.size
  }

  /** Stop taking new work and wait (up to graceMs) for sends in flight. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true
    this.opts.events.off('deliveries.scheduled', this.onScheduled)
    this.offRecovered()
    if (this.timer) clearTimeout(this.timer)
    const deadline = Date.now() + graceMs
    // A look waiting for its commit launches what it claimed; wait for it to be in flight.
    if (this.looking) await settlesWithin(this.looking, graceMs)
    await settlesWithin(Promise.all(this.inFlight.values()), graceMs)
    // One last try at what is owed; whatever still cannot be written stays Processing in
    // the store and goes out again on the next start.
    if (this.debtTimer) clearTimeout(this.debtTimer)
    if (this.debts.size && this.opts.db.open) await this.payDebts()
    if (this.debts.size)
      this.opts.log(
        `${this.debts.size} delivery results could not be recorded (store unavailable); those deliveries go out again on the next start (at-least-once)`,
      )
    // Sends still out after the grace period are abandoned unrecorded: their deliveries stay
    // Processing and go out again on the next start (at-least-once).
    this.abandoned = this.inFlight.size > 0
    // A graceful close waits for every request (deliveries, notifications) to finish, which
    // for a hanging receiver means its whole timeout: past the deadline, drop the sockets.
    const sender = this.opts.sender
    if (!(await settlesWithin(sender.close(), Math.max(0, deadline - Date.now()))))
      await sender.destroy().catch(() => undefined)
  }

  private breakerFor(project: Project, endpointId: string): CircuitBreaker {
    const cb = project.config.circuit_breaker
    const key = `${cb.consecutive_failure_threshold}:${cb.error_timeout}`
    const held = this.breakers.get(endpointId)
    if (held?.key === key) return held.breaker
    // New endpoint, or the project's breaker settings changed: start from a clean slate.
    const breaker = new CircuitBreaker({
      failureThreshold: cb.consecutive_failure_threshold,
      cooldownMs: cb.error_timeout * 1000,
    })
    this.breakers.set(endpointId, {key, breaker})
    return breaker
  }

  /** Forget an endpoint's breaker: its user says it is fixed (Svix's recover, re-enabling), so the next delivery goes out. */
  resetCircuit(endpointId: string): void {
    this.breakers.delete(endpointId)
  }

  /** Circuit state of an endpoint, for the API's cb_state; closed when it has no breaker yet. */
  circuitState(endpointId: string): CircuitState {
    return this.breakers.get(endpointId)?.breaker.state(this.now()) ?? 'closed'
  }

  private setStatus(delivery: Delivery, status: DeliveryStatus, patch: Partial<Delivery> = {}): Delivery {
    const updated = {...delivery, ...patch, status, updated_at: nowIso(this.now())}
    // Only the columns an outcome changes: a whole-row update also rewrites the entries of
    // every index on deliveries (project, endpoint, event), once per attempt.
    prepared(this.opts.db, SET_STATUS_SQL).run(
      updated.status,
      updated.attempts,
      updated.next_attempt_at,
      updated.latency_ms,
      updated.description,
      updated.updated_at,
      updated.id,
    )
    return updated
  }

  private postpone(ids: string[], at: number): void {
    const stmt = prepared(this.opts.db, POSTPONE_SQL)
    for (const id of ids) stmt.run(at, id)
  }

  /**
   * One look at the queue. A store error (disk full, write lock held elsewhere) must not
   * escape: it would kill the relay from a timer. The loop backs off and looks again; the
   * claims of a failed batch were rolled back, so nothing is lost or stuck.
   */
  private tick(): void {
    if (this.stopping) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    if (this.looking) {
      // A look is waiting for its commit: look again once it is done.
      this.lookAgain = true
      return
    }
    try {
      if (this.debts.size) {
        // Results first: while the store cannot record them, sending more only piles them up.
        if (!this.debtTimer) void this.payDebts()
        return
      }
      this.recoverOnce()
    } catch (error) {
      this.loopFailed(error)
      return
    }
    this.looking = this.lookAtQueue().then(
      () => {
        this.loopBackoff.reset()
        this.lastLoopError = ''
      },
      (error: unknown) => this.loopFailed(error),
    )
    void this.looking.finally(() => {
      this.looking = undefined
      if (this.lookAgain) {
        this.lookAgain = false
        this.wake()
      }
    })
  }

  private loopFailed(error: unknown): void {
    if (!this.health.failed('the delivery loop', error)) {
      const message = (error as Error).message
      if (message !== this.lastLoopError) this.opts.log(`delivery loop: ${message}; retrying with back-off`)
      this.lastLoopError = message
    }
    if (this.stopping) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => this.tick(), this.loopBackoff.next())
    this.timer.unref?.()
  }

  /**
   * Endpoints are served in turn (the starting one rotates every look), each up to its
   * free in-flight slots, through the per-endpoint due index: an endpoint with a large
   * backlog is never scanned past, so it cannot hold up the deliveries to the others.
   * The whole look (reads, claims, discards, postponements) is one job of the shared
   * write, so claims ride the same commit (and fsync) as the results being recorded.
   */
  private async lookAtQueue(): Promise<void> {
    const db = this.opts.db
    const launches: {project: Project; endpoint: Endpoint; delivery: Delivery}[] = []
    const turnedAway: TurnedAway[] = []
    let waitingForSlot = false
    let now = this.now()
    await this.write(() => {
      now = this.now()
      launches.length = 0
      turnedAway.length = 0
      waitingForSlot = false
      const ids = (prepared(db, DUE_ENDPOINTS_SQL).all() as {id: string}[]).map((r) => r.id)
      if (!ids.length) return
      const first = this.rotation++ % ids.length
      const order = [...ids.slice(first), ...ids.slice(0, first)]
      const projects = new Map<string, Project | undefined>()
      const postponed = new Map<number, string[]>()
      const later = (at: number, id: string) => {
        const list = postponed.get(at)
        if (list) list.push(id)
        else postponed.set(at, [id])
      }
      const claim = prepared(db, CLAIM_SQL)
      const subLimits = new Map<string, {key: string; config: RateLimitConfig} | null>()
      const subscriptionLimit = (id: string) => {
        if (!subLimits.has(id)) {
          const row = cachedRead(db, 'subscription-limit', id, () =>
            Object.freeze(
              prepared(db, SUBSCRIPTION_LIMIT_SQL).get(id) as {rate_limit_config: string | null} | undefined,
            ),
          )
          const config = row?.rate_limit_config
            ? (JSON.parse(row.rate_limit_config) as {count: number; duration: number})
            : null
          subLimits.set(
            id,
            config
              ? {key: `subscription:${id}`, config: {count: config.count, durationMs: config.duration * 1000}}
              : null,
          )
        }
        return subLimits.get(id) ?? null
      }
      const dueFor = prepared(db, DUE_FOR_ENDPOINT_SQL)
      for (const endpointId of order) {
        const globalFree = this.maxInFlight - this.inFlight.size - launches.length
        if (globalFree <= 0) {
          waitingForSlot = true
          break
        }
        const cap = cachedRead(db, 'endpoint-cap', endpointId, () =>
          Object.freeze(prepared(db, ENDPOINT_CAP_SQL).get(endpointId) as {cap: number | null} | undefined),
        )?.cap
        const free = (cap ?? this.perEndpoint) - (this.inFlightByEndpoint.get(endpointId) ?? 0)
        if (free <= 0) {
          waitingForSlot = true
          continue
        }
        // An open breaker sends nothing: its due deliveries are turned away in bulk.
        const open = this.breakers.get(endpointId)?.breaker.state(now) === 'open'
        const rows = dueFor.all(endpointId, now, open ? DUE_BATCH : Math.min(free, globalFree)) as Record<
          string,
          unknown
        >[]
        let claimed = 0
        let endpoint: Endpoint | undefined
        for (const row of rows) {
          const delivery = deliveries.fromRow(row)
          if (!projects.has(delivery.project_id)) projects.set(delivery.project_id, getProject(db, delivery.project_id))
          const project = projects.get(delivery.project_id)
          if (project && endpoint?.project_id !== project.id) endpoint = endpoints.get(db, project.id, endpointId)
          if (!project || !endpoint) {
            this.finish(this.setStatus(delivery, 'Discarded', {description: 'endpoint or project was deleted'}))
            continue
          }
          if (endpoint.status !== 'active') {
            this.finish(this.setStatus(delivery, 'Discarded', {description: `endpoint is ${endpoint.status}`}))
            continue
          }
          if (claimed >= free || this.inFlight.size + launches.length >= this.maxInFlight) {
            waitingForSlot = true
            break
          }
          // A subscription's own rate_limit_config is checked first and taken only with the endpoint's slot.
          const subLimit = subscriptionLimit(delivery.subscription_id)
          const subWait = subLimit ? this.limiters.waitMs(subLimit.key, subLimit.config) : 0
          if (subWait > 0) {
            later(now + subWait, delivery.id)
            continue
          }
          const limit = this.limiters.tryAcquire(endpoint.id, {
            count: endpoint.rate_limit,
            durationMs: endpoint.rate_limit_duration * 1000,
          })
          if (!limit.ok) {
            later(now + limit.waitMs, delivery.id)
            continue
          }
          if (subLimit) this.limiters.tryAcquire(subLimit.key, subLimit.config)
          const breaker = this.breakerFor(project, endpoint.id)
          if (!breaker.canSend(now)) {
            // Half-open with its probe out: wait for the probe's answer (the send wakes us).
            if (breaker.state(now) === 'half-open') later(now + 1000, delivery.id)
            else turnedAway.push(this.turnAway(project, endpoint, delivery, breaker, now))
            continue
          }
          if (claim.run(nowIso(now), delivery.id).changes === 0) continue
          claimed++
          launches.push({project, endpoint, delivery: {...delivery, status: 'Processing' as const}})
        }
      }
      for (const [at, ids] of postponed) this.postpone(ids, at)
    })
    for (const t of turnedAway) {
      this.opts.events.emit('delivery.updated', {delivery: t.delivery, attempt: t.attempt})
      this.afterOutcome(t.project, t.endpoint, t.delivery, t.action, t.disable)
    }
    // Claimed and committed: sent even when a stop began meanwhile (stop waits for them).
    for (const {project, endpoint, delivery} of launches) {
      this.opts.events.emit('delivery.updated', {delivery})
      this.launch(project, endpoint, delivery)
    }
    this.scheduleNext(waitingForSlot ? now : undefined)
  }

  /**
   * Arm the timer for the next delivery that falls due. Deliveries already due but held
   * back by the in-flight caps are left to the wake() of the send that frees a slot;
   * counting them here would spin the loop on zero-delay timers until then.
   */
  private scheduleNext(heldBackAt?: number): void {
    if (this.stopping) return
    const row = (
      heldBackAt === undefined
        ? prepared(this.opts.db, NEXT_DUE_SQL).get()
        : prepared(this.opts.db, NEXT_DUE_AFTER_SQL).get(heldBackAt)
    ) as {next: number | null}
    const wait = row.next === null ? this.idlePollMs : Math.min(Math.max(row.next - this.now(), 0), this.idlePollMs)
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => this.tick(), wait)
    this.timer.unref?.()
  }

  private launch(project: Project, endpoint: Endpoint, delivery: Delivery): void {
    this.inFlightByEndpoint.set(endpoint.id, (this.inFlightByEndpoint.get(endpoint.id) ?? 0) + 1)
    const job = this.attempt(project, endpoint, delivery)
      .catch((error: Error) => this.opts.log(`delivery ${delivery.id}: ${error.message}`))
      .finally(() => {
        this.inFlight.delete(delivery.id)
        this.inFlightByEndpoint.set(endpoint.id, (this.inFlightByEndpoint.get(endpoint.id) ?? 1) - 1)
        this.wake()
      })
    this.inFlight.set(delivery.id, job)
  }

  private async attempt(project: Project, endpoint: Endpoint, delivery: Delivery): Promise<void> {
    let event
    try {
      event = events.get(this.opts.db, delivery.project_id, delivery.event_id)
    } catch (error) {
      // Claimed but not sent: put it back in the queue once the store can take the write.
      this.owe(delivery, () => this.release(delivery), error)
      return
    }
    if (!event) {
      const discard = async () =>
        this.finish(
          await this.write(() => this.setStatus(delivery, 'Discarded', {description: 'event no longer stored'})),
        )
      await discard().catch((error: unknown) => this.owe(delivery, discard, error))
      return
    }
    let request
    let result: SendResult
    try {
      const transforms = deliveryTransforms(this.opts.db, delivery, event)
      // Functions run in the sandbox's worker; a delivery without any makes no round trip.
      const transformed = transforms ? await this.transform(event, transforms) : undefined
      request = buildDeliveryRequest({project, endpoint, event, delivery, now: this.now(), transformed})
      result = await this.opts.sender.send(request, endpoint.http_timeout * 1000)
    } catch (error) {
      // Nothing was sent (e.g. a stored signature setting this build cannot sign with): a
      // failed attempt saying why, retried and given up like any other — never left Processing.
      request = {headers: {}}
      result = notSent(`could not build the request: ${(error as Error).message}`)
    }
    if (this.abandoned || !this.opts.db.open) return
    const finishedAt = this.now()
    const headers = request.headers
    const record = () => this.record(project, endpoint, delivery, headers, result, finishedAt)
    await record().catch((error: unknown) => this.owe(delivery, record, error))
  }

  private transform(event: EventRecord, transforms: DeliveryTransforms): Promise<Transformed> | Transformed {
    if (!this.opts.sandbox) return {ok: false, error: 'transformation: this relay runs no function sandbox'}
    return applyTransforms(this.opts.sandbox, event, transforms)
  }

  /** Undo a claim: the delivery goes back to the queue as it was (its attempt was never made). */
  private async release(delivery: Delivery): Promise<void> {
    await this.write(() =>
      this.opts.db
        .prepare(
          `UPDATE deliveries SET status = CASE WHEN attempts = 0 THEN 'Scheduled' ELSE 'Retry' END, updated_at = ? WHERE id = ? AND status = 'Processing'`,
        )
        .run(nowIso(this.now()), delivery.id),
    )
    this.finish(delivery)
  }

  /**
   * Keep a write that failed on a store condition, to retry it with back-off (logged once by
   * the health tracker). Any other failure (the delivery was deleted meanwhile, a bug) would
   * fail again: it is logged and the claim undone, best effort.
   */
  private owe(delivery: Delivery, debt: StoreDebt, error: unknown): void {
    if (this.health.failed('recording a delivery result', error)) {
      this.debts.set(delivery.id, debt)
      this.armDebtTimer()
      return
    }
    this.opts.log(`delivery ${delivery.id}: result not recorded: ${(error as Error).message}`)
    this.release(delivery).catch(() => undefined)
  }

  private armDebtTimer(): void {
    if (this.debtTimer || this.stopping) return
    this.debtTimer = setTimeout(() => {
      this.debtTimer = undefined
      void this.payDebts()
    }, this.debtBackoff.next())
    this.debtTimer.unref?.()
  }

  /** Retry owed writes oldest first; stop at the first failure and back off. */
  private async payDebts(): Promise<void> {
    if (this.payingDebts) return
    this.payingDebts = true
    try {
      for (const [id, debt] of this.debts) {
        if (!this.opts.db.open) return
        try {
          await debt()
        } catch (error) {
          if (this.health.failed('recording a delivery result', error)) {
            this.armDebtTimer()
            return
          }
          this.opts.log(`delivery ${id}: result not recorded: ${(error as Error).message}`)
          this.debts.delete(id)
          continue
        }
        this.debts.delete(id)
      }
      this.debtBackoff.reset()
      this.wake()
    } finally {
      this.payingDebts = false
    }
  }

  private async record(
    project: Project,
    endpoint: Endpoint,
    delivery: Delivery,
    requestHeaders: Record<string, string>,
    result: SendResult,
    now: number,
  ): Promise<void> {
    const attemptNumber = delivery.attempts + 1
    const decision = this.nextStep(project, endpoint, delivery, result.outcome, now)
    const attempt = attemptRow(delivery, endpoint, now, {
      request_headers: Object.fromEntries(Object.entries(requestHeaders).map(([k, v]) => [k, [v]])),
      response_status: result.status,
      response_headers: result.headers,
      response_body: result.body,
      error: result.error,
      latency_ms: result.latencyMs,
    })
    const breaker = this.breakerFor(project, endpoint.id)
    let disable: string | undefined
    // Through the group commit: many finished attempts share one fsync.
    const updated = await this.write(() => {
      attempts.insert(this.opts.db, attempt)
      const applied = this.applyDecision(project, delivery, decision, {
        attempts: attemptNumber,
        latency_ms: result.latencyMs,
      })
      disable = applied.disable
      return applied.delivery
    })
    // Recorded: what follows must not throw back into the retry of the write above.
    try {
      if (decision.action === 'success') breaker.recordSuccess(now)
      else breaker.recordFailure(now, decision.action === 'retry' ? decision.at : null)
      this.opts.events.emit('delivery.updated', {delivery: updated, attempt})
      this.afterOutcome(project, endpoint, updated, decision.action, disable)
    } catch (error) {
      this.opts.log(`delivery ${delivery.id}: after recording: ${(error as Error).message}`)
    }
  }

  /** What the project's retry strategy says follows this delivery's next attempt. */
  private nextStep(
    project: Project,
    endpoint: Endpoint,
    delivery: Delivery,
    outcome: AttemptOutcome,
    now: number,
  ): RetryDecision {
    return nextRetry({
      strategy: {
        type: project.config.strategy.type,
        duration: project.config.strategy.duration,
        retryCount: delivery.retry_limit,
        schedule: retryScheduleFor(project, endpoint),
      },
      attempt: delivery.attempts + 1,
      outcome,
      now,
    })
  }

  private applyDecision(
    project: Project,
    delivery: Delivery,
    decision: RetryDecision,
    base: Partial<Delivery>,
  ): {delivery: Delivery; disable?: string} {
    switch (decision.action) {
      case 'success':
        return {delivery: this.setStatus(delivery, 'Success', {...base, description: ''})}
      case 'retry':
        return {
          delivery: this.setStatus(delivery, 'Retry', {
            ...base,
            next_attempt_at: decision.at,
            description: decision.reason,
          }),
        }
      case 'disable-endpoint':
        return {
          delivery: this.setStatus(delivery, 'Failure', {...base, description: decision.reason}),
          disable: decision.reason,
        }
      case 'fail':
        return {
          delivery: this.setStatus(delivery, 'Failure', {...base, description: decision.reason}),
          disable: project.config.disable_endpoint ? `deliveries keep failing (${decision.reason})` : undefined,
        }
    }
  }

  /**
   * A delivery falls due while its endpoint's breaker is open: nothing is sent, but the
   * attempt is spent and recorded ("circuit open") and the retry schedule goes on, so
   * retry_count, eventdelivery.failed and disable_endpoint work on the configured
   * schedule. Its next retry bounds when the breaker probes. Runs inside the tick's
   * transaction; the caller announces the result after the commit.
   */
  private turnAway(
    project: Project,
    endpoint: Endpoint,
    delivery: Delivery,
    breaker: CircuitBreaker,
    now: number,
  ): TurnedAway {
    const attemptNumber = delivery.attempts + 1
    const raw = this.nextStep(project, endpoint, delivery, {kind: 'network', code: CIRCUIT_OPEN}, now)
    const decision =
      'reason' in raw ? {...raw, reason: raw.reason.replace(`network error ${CIRCUIT_OPEN}`, 'circuit open')} : raw
    if (decision.action === 'retry') breaker.probeNoLaterThan(decision.at)
    const probeAt = breaker.retryAt()
    const failures = plural(breaker.snapshot(now).consecutiveFailures, 'time')
    const attempt = attemptRow(delivery, endpoint, now, {
      request_headers: {},
      response_status: null,
      response_headers: null,
      response_body: null,
      error: `circuit open: not sent, the endpoint failed ${failures} in a row${probeAt === null ? '' : `; next probe at ${nowIso(probeAt)}`}`,
      latency_ms: 0,
    })
    attempts.insert(this.opts.db, attempt)
    const applied = this.applyDecision(project, delivery, decision, {attempts: attemptNumber, latency_ms: 0})
    return {project, endpoint, delivery: applied.delivery, attempt, action: decision.action, disable: applied.disable}
  }

  private afterOutcome(
    project: Project,
    endpoint: Endpoint,
    delivery: Delivery,
    action: string,
    disable: string | undefined,
  ): void {
    const notify = this.opts.notifier
    const summary = {
      delivery_id: delivery.id,
      event_id: delivery.event_id,
      endpoint_id: endpoint.id,
      status: delivery.status,
      attempts: delivery.attempts,
      description: delivery.description,
    }
    if (action === 'success') void notify.notify(project, endpoint, 'eventdelivery.success', summary)
    if (delivery.status === 'Failure') void notify.notify(project, endpoint, 'eventdelivery.failed', summary)
    if (disable) {
      try {
        const current = endpoints.get(this.opts.db, project.id, endpoint.id)
        if (current && current.status === 'active') {
          endpoints.update(this.opts.db, {...current, status: 'inactive', updated_at: nowIso(this.now())})
          void notify.notify(project, current, 'endpoint.disabled', {
            endpoint_id: current.id,
            name: current.name,
            url: current.url,
            reason: disable,
          })
        }
      } catch (error) {
        // The result is recorded; the endpoint stays active and is disabled by a later failure.
        if (!this.health.failed('disabling an endpoint', error))
          this.opts.log(`endpoint ${endpoint.id}: not disabled: ${(error as Error).message}`)
      }
    }
  }

  private finish(delivery: Delivery): void {
    this.opts.events.emit('delivery.updated', {delivery})
  }
}

/** Whether `promise` settles (either way) within `ms`. */
function notSent(error: string): SendResult {
  return {status: null, headers: null, body: null, latencyMs: 0, error, outcome: {kind: 'network'}}
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const settled = promise.then(
    () => true,
    () => true,
  )
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  try {
    return await Promise.race([settled, timedOut])
  } finally {
    clearTimeout(timer)
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** An attempt record of a delivery to an endpoint, made now; `fields` says what happened. */
function attemptRow(
  delivery: Delivery,
  endpoint: Endpoint,
  now: number,
  fields: Omit<DeliveryAttempt, 'id' | 'project_id' | 'delivery_id' | 'endpoint_id' | 'url' | 'method' | 'created_at'>,
): DeliveryAttempt {
  return {
    id: ulid(now),
    project_id: delivery.project_id,
    delivery_id: delivery.id,
    endpoint_id: endpoint.id,
    url: endpoint.url,
    method: 'POST',
    ...fields,
    created_at: nowIso(now),
  }
}
