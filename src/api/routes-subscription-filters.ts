import * as filtersCore from '../core/subscription-filters.js'
import {requireSubscription} from '../core/subscriptions.js'
import {badRequest} from '../errors.js'
import type {ApiContext, AuthedRequest} from './context.js'
import {projectOf, subscriptionOut} from './routes-management.js'
import type {Router} from './router.js'
import {filterJson} from './serialize.js'

type R = Router<ApiContext>

function arrayBody(body: unknown): unknown[] {
  if (!Array.isArray(body)) throw badRequest('request body must be a JSON array of filters')
  return body
}

/** Convoy's per-event-type subscription filters, the filter testers and toggle_status. */
export function addSubscriptionFilterRoutes(router: R): void {
  const s = '/api/v1/projects/:projectID/subscriptions'
  const f = `${s}/:subscriptionID/filters`
  const subJson = subscriptionOut

  router
    .add('POST', `${s}/test_filter`, (ctx, r) => {
      projectOf(ctx, r as AuthedRequest)
      const matched = filtersCore.testFilter(r.body)
      return {status: 200, message: matched ? 'Filter matched' : 'Filter did not match', data: matched}
    })
    .add('PUT', `${s}/:subscriptionID/toggle_status`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const sub = filtersCore.toggleSubscriptionStatus(ctx.db, project.id, r.params.subscriptionID)
      return {status: 202, message: `Subscription status is now ${sub.status}`, data: subJson(ctx, sub)}
    })
    .add('GET', f, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const sub = requireSubscription(ctx.db, project.id, r.params.subscriptionID)
      const list = filtersCore.listFilters(ctx.db, project.id, sub.id)
      return {status: 200, message: 'Filters retrieved successfully', data: list.map(filterJson)}
    })
    .add('POST', f, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const [made] = filtersCore.createFilters(ctx.db, project.id, r.params.subscriptionID, [r.body])
      return {status: 201, message: 'Filter created successfully', data: filterJson(made)}
    })
    .add('POST', `${f}/bulk`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const made = filtersCore.createFilters(ctx.db, project.id, r.params.subscriptionID, arrayBody(r.body))
      return {status: 201, message: 'Filters created successfully', data: made.map(filterJson)}
    })
    .add('PUT', `${f}/bulk_update`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const updated = filtersCore.bulkUpdateFilters(ctx.db, project.id, r.params.subscriptionID, arrayBody(r.body))
      return {status: 200, message: 'Filters updated successfully', data: updated.map(filterJson)}
    })
    .add('POST', `${f}/test/:eventType`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const isMatch = filtersCore.testSubscriptionFilter(
        ctx.db,
        project.id,
        r.params.subscriptionID,
        r.params.eventType,
        r.body,
      )
      return {status: 200, message: 'Filter tested successfully', data: {is_match: isMatch}}
    })
    .add('GET', `${f}/:filterID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const filter = filtersCore.requireFilter(ctx.db, project.id, r.params.subscriptionID, r.params.filterID)
      return {status: 200, message: 'Filter retrieved successfully', data: filterJson(filter)}
    })
    .add('PUT', `${f}/:filterID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const p = r.params
      const updated = filtersCore.updateFilter(ctx.db, project.id, p.subscriptionID, p.filterID, r.body)
      return {status: 200, message: 'Filter updated successfully', data: filterJson(updated)}
    })
    .add('DELETE', `${f}/:filterID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      filtersCore.deleteFilter(ctx.db, project.id, r.params.subscriptionID, r.params.filterID)
      return {status: 200, message: 'Filter deleted successfully'}
    })
}
