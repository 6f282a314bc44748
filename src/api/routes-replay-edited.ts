import {planEditedReplay, readEditedReplay} from '../core/edited-replays.js'
import * as eventsCore from '../core/events.js'
import {announceStored} from '../relay/relay-events.js'
import type {ApiContext, AuthedRequest} from './context.js'
import {projectOf} from './routes-management.js'
import {storedEventJson} from './routes-events.js'
import type {Router} from './router.js'

/**
 * Caravan extension: `POST /projects/{id}/events/{id}/replay-edited` stores an edited copy of
 * an event as a new event and delivers it to endpoints the original reached (the dashboard's
 * "Edit and replay"; the browser cannot reach the developer's app, the relay can).
 */
export function addReplayEditedRoute(router: Router<ApiContext>): void {
  router.add('POST', '/api/v1/projects/:projectID/events/:eventID/replay-edited', async (ctx, r) => {
    const project = projectOf(ctx, r as AuthedRequest)
    const original = eventsCore.requireEvent(ctx.db, project.id, r.params.eventID)
    const edit = readEditedReplay(r.body)
    const plan = planEditedReplay(ctx.db, project, original, edit)
    const stored = await ctx.write(plan.store)
    announceStored(ctx.events, project.id, stored)
    return {
      status: 201,
      message: `Edited replay stored and sent to ${stored.deliveries.length} endpoint(s)`,
      data: {
        ...storedEventJson(stored),
        replay_of: original.id,
        resigned: plan.resigned,
        notes: plan.notes,
      },
    }
  })
}
