import * as deliveriesCore from '../core/deliveries.js'
import {validateEventPayload} from '../core/event-type-schemas.js'
import {storeDynamicEvent} from '../core/dynamic-events.js'
import * as eventsCore from '../core/events.js'
import {recordReplay} from '../core/replays.js'
import * as retries from '../core/retries.js'
import {Input} from '../core/input.js'
import {HttpError} from '../errors.js'
import {endpoints as endpointTable} from '../store/resources.js'
import {findSourceByRef} from '../core/sources.js'
import type {Delivery, Endpoint, Project} from '../store/types.js'
import {type ApiContext, type AuthedRequest, pageJson, pageQuery, queryList} from './context.js'
import {addPruneRoute} from '../retention/routes.js'
import {announceStored} from '../relay/relay-events.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'
import {attemptJson, deliveryJson, eventJson} from './serialize.js'

type R = Router<ApiContext>

const opt = (q: URLSearchParams, name: string): string | undefined => q.get(name) || undefined

/** Serialise deliveries with their endpoints, looking each endpoint up once. */
function deliveriesJson(ctx: ApiContext, project: Project, list: Delivery[]) {
  const cache = new Map<string, Endpoint | undefined>()
  return list.map((d) => {
    if (!cache.has(d.endpoint_id)) cache.set(d.endpoint_id, endpointTable.find(ctx.db, ['id = ?'], [d.endpoint_id])[0])
    const endpoint = cache.get(d.endpoint_id)
    return deliveryJson(d, {
      endpoint,
      cbState: endpoint && ctx.circuitState?.(endpoint),
      strategy: project.config.strategy.type,
      interval: project.config.strategy.duration,
    })
  })
}

/** Caravan extension: `?source=<name>` besides Convoy's `sourceId`. */
function sourceIdByName(ctx: ApiContext, projectId: string, name: string | undefined): string[] {
  if (!name) return []
  const source = findSourceByRef(ctx.db, projectId, name)
  if (!source) throw new HttpError(400, `source: no source named "${name}"`)
  return [source.id]
}

/** The events list's filters, shared by the list, `batchreplay` and `countbatchreplayevents`. */
function eventFilter(ctx: ApiContext, project: Project, q: URLSearchParams): eventsCore.EventListFilter {
  return {
    startDate: opt(q, 'startDate'),
    endDate: opt(q, 'endDate'),
    sourceId: [...queryList(q, 'sourceId'), ...sourceIdByName(ctx, project.id, opt(q, 'source'))],
    endpointId: queryList(q, 'endpointId'),
    idempotencyKey: opt(q, 'idempotencyKey'),
    eventType: opt(q, 'event_type'),
    query: opt(q, 'query'),
    body: opt(q, 'body'),
    status: queryList(q, 'status'),
  }
}

/** A just-stored event as the events API shows it, its status from the deliveries made with it. */
export function storedEventJson(stored: Pick<eventsCore.StoredEvent, 'event' | 'deliveries'>) {
  return eventJson(
    stored.event,
    eventsCore.eventStatus(
      stored.event,
      stored.deliveries.map((d) => d.status),
    ),
  )
}

export function addEventRoutes(router: R): void {
  const ev = '/api/v1/projects/:projectID/events'
  addPruneRoute(router)

  const create = (kind: 'endpoint' | 'fanout' | 'broadcast') => async (ctx: ApiContext, r: AuthedRequest) => {
    const project = projectOf(ctx, r)
    const parsed = eventsCore.readCreateEvent(r.body, kind)
    validateEventPayload(ctx.db, project, parsed.eventType, (r.body as {data: unknown}).data)
    const stored = await ctx.write(() => eventsCore.storeEvent(ctx.db, project, parsed))
    announceStored(ctx.events, project.id, stored)
    // Convoy answers 201 with no data; returning the event is a Caravan extension.
    return {status: 201, message: 'Event queued successfully', data: storedEventJson(stored)}
  }

  router
    .add('POST', ev, (ctx, r) => create('endpoint')(ctx, r as AuthedRequest))
    .add('POST', `${ev}/fanout`, (ctx, r) => create('fanout')(ctx, r as AuthedRequest))
    .add('POST', `${ev}/broadcast`, (ctx, r) => create('broadcast')(ctx, r as AuthedRequest))
    .add('GET', ev, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const q = r.query
      const page = eventsCore.listEvents(ctx.db, project.id, pageQuery(q), eventFilter(ctx, project, q))
      const summaries = eventsCore.deliverySummaries(
        ctx.db,
        page.content.map((x) => x.id),
      )
      return {
        status: 200,
        message: 'Events fetched successfully',
        data: pageJson(page, (x) =>
          eventJson(
            x,
            eventsCore.eventStatus(x, summaries.get(x.id)?.statuses ?? [], summaries.get(x.id)?.waiting_for_listener),
            summaries.get(x.id),
          ),
        ),
      }
    })
    .add('GET', `${ev}/:eventID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const event = eventsCore.requireEvent(ctx.db, project.id, r.params.eventID)
      const summary = eventsCore.deliverySummaries(ctx.db, [event.id]).get(event.id)
      return {
        status: 200,
        message: 'Event fetched successfully',
        data: eventJson(
          event,
          eventsCore.eventStatus(event, summary?.statuses ?? [], summary?.waiting_for_listener),
          summary,
        ),
      }
    })

  router
    .add('GET', `${ev}/countbatchreplayevents`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const num = eventsCore.countEvents(ctx.db, project.id, eventFilter(ctx, project, r.query))
      return {status: 200, message: 'events count successful', data: {num}}
    })
    .add('POST', `${ev}/dynamic`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const stored = await ctx.write(() => storeDynamicEvent(ctx.db, project, r.body, ctx.targets))
      announceStored(ctx.events, project.id, stored)
      // Convoy answers 201 with no data; the event, its endpoint and subscription are a Caravan extension.
      return {
        status: 201,
        message: 'Dynamic event created successfully',
        data: {
          ...storedEventJson(stored),
          endpoint_id: stored.endpoint.id,
          subscription_id: stored.subscription.id,
          created: stored.created,
        },
      }
    })
    .add('PUT', `${ev}/:eventID/replay`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const event = eventsCore.requireEvent(ctx.db, project.id, r.params.eventID)
      // Caravan extension: `?endpointId=` replays only to those of its endpoints (the dashboard's pick).
      const made = retries.replayEvent(ctx.db, project, event, Date.now(), queryList(r.query, 'endpointId'))
      if (made.length) ctx.events.emit('deliveries.scheduled', {projectId: project.id})
      return {
        status: 200,
        message: `Event replayed to ${made.length} endpoint(s)`,
        data: eventJson(
          event,
          eventsCore.eventStatus(
            event,
            made.map((d) => d.status),
          ),
        ),
      }
    })
    .add('POST', `${ev}/:eventID/replays`, (ctx, r) => {
      // Caravan extension: record a replay the CLI sent itself (caravan replay).
      const project = projectOf(ctx, r as AuthedRequest)
      const event = eventsCore.requireEvent(ctx.db, project.id, r.params.eventID)
      const delivery = recordReplay(ctx.db, project, event, r.body)
      ctx.events.emit('delivery.updated', {delivery})
      return {status: 201, message: 'Replay recorded', data: deliveriesJson(ctx, project, [delivery])[0]}
    })
    .add('POST', `${ev}/batchreplay`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const q = r.query
      const page = eventsCore.listEvents(
        ctx.db,
        project.id,
        {perPage: retries.BATCH_LIMIT, direction: 'next', sort: 'ASC'},
        eventFilter(ctx, project, q),
      )
      let count = 0
      // Requests that failed signature verification at ingest are never re-sent (issue 10).
      const verified = page.content.filter((event) => !event.verification_error)
      for (const event of verified) count += retries.replayEvent(ctx.db, project, event).length
      if (count) ctx.events.emit('deliveries.scheduled', {projectId: project.id})
      const skipped = page.content.length - verified.length
      return {
        status: 200,
        message: 'Events replayed successfully',
        data:
          `${verified.length} event(s) replayed, ${count} delivery(ies) scheduled` +
          (skipped ? `, ${skipped} unverified event(s) skipped (failed signature verification at ingest)` : ''),
      }
    })

  const ed = '/api/v1/projects/:projectID/eventdeliveries'
  const deliveryFilter = (q: URLSearchParams) => ({
    startDate: opt(q, 'startDate'),
    endDate: opt(q, 'endDate'),
    status: queryList(q, 'status'),
    endpointId: queryList(q, 'endpointId'),
    eventId: opt(q, 'eventId'),
    eventType: opt(q, 'event_type'),
    subscriptionId: opt(q, 'subscriptionId'),
    idempotencyKey: opt(q, 'idempotencyKey'),
  })
  router
    .add('PUT', `${ed}/:deliveryID/resend`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const delivery = retries.resendDelivery(ctx.db, project, r.params.deliveryID)
      ctx.events.emit('deliveries.scheduled', {projectId: project.id})
      return {
        status: 200,
        message: 'App event processed for retry successfully',
        data: deliveriesJson(ctx, project, [delivery])[0],
      }
    })
    .add('POST', `${ed}/batchretry`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const result = retries.batchRetry(ctx.db, project, deliveryFilter(r.query))
      if (result.retried) ctx.events.emit('deliveries.scheduled', {projectId: project.id})
      return {status: 200, message: `${result.retried} successful, ${result.skipped} failed`, data: result}
    })
    .add('POST', `${ed}/forceresend`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const ids = Input.of(r.body).strings('ids')
      if (!ids?.length) throw new HttpError(400, 'ids is required: a non-empty array of event delivery IDs')
      const result = retries.forceResend(ctx.db, project, ids)
      if (result.resent.length) ctx.events.emit('deliveries.scheduled', {projectId: project.id})
      return {
        status: 200,
        message: `${result.resent.length} successful, ${result.failed.length} failed`,
        data: {resent: result.resent.map((d) => d.id), failed: result.failed},
      }
    })

  router
    .add('GET', ed, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const q = r.query
      const page = deliveriesCore.listDeliveries(ctx.db, project.id, pageQuery(q), deliveryFilter(q))
      return {
        status: 200,
        message: 'Event deliveries fetched successfully',
        data: {content: deliveriesJson(ctx, project, page.content), pagination: page.pagination},
      }
    })
    .add('GET', `${ed}/:deliveryID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const delivery = deliveriesCore.requireDelivery(ctx.db, project.id, r.params.deliveryID)
      return {
        status: 200,
        message: 'Event delivery fetched successfully',
        data: deliveriesJson(ctx, project, [delivery])[0],
      }
    })
    .add('GET', `${ed}/:deliveryID/deliveryattempts`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const list = deliveriesCore.listAttempts(ctx.db, project.id, r.params.deliveryID)
      return {status: 200, message: 'App event delivery attempts fetched successfully', data: list.map(attemptJson)}
    })
    .add('GET', `${ed}/:deliveryID/deliveryattempts/:attemptID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const attempt = deliveriesCore.requireAttempt(ctx.db, project.id, r.params.deliveryID, r.params.attemptID)
      return {status: 200, message: 'App event delivery attempt fetched successfully', data: attemptJson(attempt)}
    })
}
