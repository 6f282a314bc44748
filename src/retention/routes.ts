import type {ApiContext, AuthedRequest} from '../api/context.js'
import {projectOf} from '../api/routes-management.js'
import type {Router} from '../api/router.js'
import {Input} from '../core/input.js'
import {badRequest} from '../errors.js'
import {parseRetention} from './duration.js'
import {pruneEvents} from './prune.js'

/** The cut-off a prune request asks for: `before` (a date) or `older_than` (a duration). */
export function readPruneRequest(body: unknown, now: number): number {
  const input = Input.of(body ?? {})
  const before = input.str('before', {max: 100})
  const olderThan = input.str('older_than', {max: 50})
  if ((before === undefined) === (olderThan === undefined))
    throw badRequest('give exactly one of before (a date, e.g. 2026-11-01T00:00:00Z) or older_than (e.g. 30d)')
  if (olderThan !== undefined) {
    try {
      return now - parseRetention(olderThan)
    } catch (error) {
      throw badRequest(`older_than: ${(error as Error).message}`)
    }
  }
  const at = /^\d{4}-\d{2}-\d{2}/.test(before!) ? Date.parse(before!) : Number.NaN
  if (Number.isNaN(at)) throw badRequest(`before must be an ISO date, e.g. 2026-11-01T00:00:00Z (got "${before}")`)
  // A future cut-off would take events whose deliveries just finished: almost surely a typo.
  if (at > now) throw badRequest(`before is in the future (${new Date(at).toISOString()})`)
  return at
}

/**
 * Caravan extension (Convoy has no such route): `POST /projects/{id}/events/prune` deletes
 * the project's finished events created before the cut-off, with their deliveries and
 * attempts, in small batches that never hold up acknowledgements.
 */
export function addPruneRoute(router: Router<ApiContext>): void {
  router.add('POST', '/api/v1/projects/:projectID/events/prune', async (ctx, r) => {
    const project = projectOf(ctx, r as AuthedRequest)
    const before = readPruneRequest(r.body, Date.now())
    const result = await pruneEvents(ctx.db, {before, projectId: project.id, write: ctx.write})
    const {batches: _batches, ...data} = result
    return {status: 200, message: 'Events pruned successfully', data}
  })
}
