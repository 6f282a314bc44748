import {parseSummaryPeriod, projectSummary} from '../core/summary.js'
import type {ApiContext, AuthedRequest} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'

/**
 * Caravan extension (Convoy has no such route): a project's event and delivery counts per
 * hour or day, and per endpoint, for the dashboard's summary page.
 */
export function addSummaryRoutes(router: Router<ApiContext>): void {
  router.add('GET', '/api/v1/projects/:projectID/summary', (ctx, r) => {
    const project = projectOf(ctx, r as AuthedRequest)
    const period = parseSummaryPeriod(r.query.get('period'))
    return {status: 200, message: 'Summary fetched successfully', data: projectSummary(ctx.db, project.id, period)}
  })
}
