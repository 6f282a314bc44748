import {registerListener} from '../core/listeners.js'
import {type ApiContext, type AuthedRequest} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'
import {endpointJson, sourceJson} from './serialize.js'

/**
 * Caravan extension: register a `caravan listen` (a cli endpoint + subscription on a
 * source) before opening its stream, and list the listeners connected now.
 */
export function addListenerRoutes(router: Router<ApiContext>): void {
  const l = '/api/v1/projects/:projectID/listeners'
  router
    .add('POST', l, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const listener = registerListener(ctx.db, project, r.body)
      return {
        status: 201,
        message: 'Listener registered',
        data: {
          listener_id: listener.endpoint.id,
          endpoint: endpointJson(listener.endpoint),
          source: sourceJson(listener.source, ctx.baseUrl()),
          subscription_id: listener.subscription.id,
          stream_path: `/api/v1/projects/${project.id}/stream?listener=${listener.endpoint.id}`,
        },
      }
    })
    .add('GET', l, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const connected = ctx.listeners().filter((x) => x.project_id === project.id)
      return {status: 200, message: 'Listeners fetched successfully', data: connected}
    })
}
