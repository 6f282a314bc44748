import * as metaCore from '../core/meta-events.js'
import {HttpError} from '../errors.js'
import {handleableJson} from '../store/json.js'
import type {MetaEvent, MetaEventAttempt, Project} from '../store/types.js'
import {type ApiContext, type AuthedRequest, pageJson, pageQuery} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'
import {flatHeaders} from './serialize.js'

type R = Router<ApiContext>

function attemptPart(a: MetaEventAttempt) {
  return {
    request_http_header: flatHeaders(a.request_headers),
    response_http_header: flatHeaders(a.response_headers),
    response_data: a.response_body ? a.response_body.toString('utf8') : '',
  }
}

/** Convoy's MetaEventResponse; `attempts` (every send, oldest first) is a Caravan extension. */
export function metaEventJson(project: Project, e: MetaEvent, attempts: MetaEventAttempt[]) {
  const parsed = handleableJson(e.body)
  const payload = parsed.ok ? (parsed.value as {data?: unknown}) : undefined
  const last = attempts.at(-1)
  return {
    uid: e.id,
    project_id: e.project_id,
    event_type: e.event_type,
    status: e.status,
    metadata: {
      data: (payload?.data as Record<string, unknown> | undefined) ?? null,
      raw: e.body.toString('utf8'),
      num_trials: e.attempts,
      // The notifier sends once; resend sends again.
      retry_limit: 0,
      strategy: project.config.strategy.type,
      interval_seconds: 0,
      max_retry_seconds: 0,
      next_send_time: e.updated_at,
    },
    attempt: last ? attemptPart(last) : null,
    attempts: attempts.map((a) => ({
      uid: a.id,
      url: a.url,
      http_status: a.response_status === null ? '' : String(a.response_status),
      error: a.error,
      latency_ms: a.latency_ms,
      created_at: a.created_at,
      ...attemptPart(a),
    })),
    created_at: e.created_at,
    updated_at: e.updated_at,
    deleted_at: null,
  }
}

export function addMetaEventRoutes(router: R): void {
  const m = '/api/v1/projects/:projectID/meta-events'
  router
    .add('GET', m, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const page = metaCore.listMetaEvents(ctx.db, project.id, pageQuery(r.query), {
        startDate: r.query.get('startDate') || undefined,
        endDate: r.query.get('endDate') || undefined,
      })
      return {
        status: 200,
        message: 'Meta events fetched successfully',
        data: pageJson(page, (e) => metaEventJson(project, e, metaCore.metaEventAttemptsOf(ctx.db, e))),
      }
    })
    .add('GET', `${m}/:metaEventID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const event = metaCore.requireMetaEvent(ctx.db, project.id, r.params.metaEventID)
      return {
        status: 200,
        message: 'Meta event fetched successfully',
        data: metaEventJson(project, event, metaCore.metaEventAttemptsOf(ctx.db, event)),
      }
    })
    .add('PUT', `${m}/:metaEventID/resend`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      metaCore.requireMetaEvent(ctx.db, project.id, r.params.metaEventID)
      if (!ctx.resendMetaEvent) throw new HttpError(501, 'this relay does not send meta events')
      const event = await ctx.resendMetaEvent(project, r.params.metaEventID)
      return {
        status: 200,
        message:
          event.status === 'Success' ? 'Meta event resent successfully' : 'Meta event resent, and it failed again',
        data: metaEventJson(project, event, metaCore.metaEventAttemptsOf(ctx.db, event)),
      }
    })
}
