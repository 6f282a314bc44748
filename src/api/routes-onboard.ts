import {onboard} from '../core/onboard.js'
import {badRequest} from '../errors.js'
import type {ApiContext, AuthedRequest} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'

type R = Router<ApiContext>

function dryRunFlag(query: URLSearchParams): boolean {
  const raw = query.get('dry_run')
  if (raw === null || raw === '' || raw === 'false') return false
  if (raw === 'true') return true
  throw badRequest(`dry_run must be true or false (got "${raw.slice(0, 50)}")`)
}

/** Convoy's bulk onboarding; Caravan does the work at once (Convoy queues batches), so the answer says what happened. */
export function addOnboardRoutes(router: R): void {
  router.add('POST', '/api/v1/projects/:projectID/onboard', async (ctx, r) => {
    const project = projectOf(ctx, r as AuthedRequest)
    if (dryRunFlag(r.query)) {
      const result = onboard(ctx.db, project.id, r.body, {dryRun: true, targets: ctx.targets})
      return {
        status: 200,
        message: `Dry run: ${result.created.length} of ${result.total} item(s) valid`,
        data: {total_rows: result.total, valid_count: result.created.length, errors: result.skipped},
      }
    }
    const result = await ctx.write(() => onboard(ctx.db, project.id, r.body, {dryRun: false, targets: ctx.targets}))
    const message = `${result.created.length} endpoint(s) created, ${result.skipped.length} item(s) skipped`
    return {
      status: 202,
      message,
      data: {
        batch_count: 1,
        total_items: result.total,
        message,
        // Caravan: what was made and what was skipped, and why.
        created: result.created,
        skipped: result.skipped,
      },
    }
  })
}
