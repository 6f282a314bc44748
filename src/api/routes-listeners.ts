import {
  findListener,
  listRegisteredListeners,
  registerListener,
  removeListener,
  touchListener,
} from '../core/listeners.js'
import {notFound} from '../errors.js'
import {type ApiContext, type AuthedRequest} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'
import {endpointJson, sourceJson} from './serialize.js'

/**
 * Caravan extension: register a `caravan listen` (a cli endpoint + subscription on a
 * source) before opening its stream, list listeners (connected now; `?all=true` every
 * registered one, with `connected` and `last_seen_at`), and remove one.
 */
export function addListenerRoutes(router: Router<ApiContext>): void {
  const l = '/api/v1/projects/:projectID/listeners'
  router
    .add('POST', l, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const listener = registerListener(ctx.db, project, r.body)
      touchListener(ctx.db, listener.endpoint.id)
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
      const all = r.query.get('all')
      if (all !== 'true' && all !== '1')
        return {status: 200, message: 'Listeners fetched successfully', data: connected}
      const live = new Map(connected.map((c) => [c.listener_id, c]))
      const data = listRegisteredListeners(ctx.db, project.id).map((x) => {
        const c = live.get(x.listener_id)
        return {
          ...x,
          connected: c !== undefined,
          connected_at: c?.connected_at ?? null,
          remote: c?.remote ?? null,
        }
      })
      return {status: 200, message: 'Listeners fetched successfully', data}
    })
    .add('DELETE', `${l}/:listenerID`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const listener = findListener(ctx.db, project.id, r.params.listenerID)
      if (!listener) throw notFound(`listener ${r.params.listenerID}`)
      const discarded = await ctx.write(() =>
        removeListener(ctx.db, project.id, listener.listener_id, 'listener removed (caravan listeners remove)'),
      )
      ctx.dropListener?.(listener.listener_id)
      return {
        status: 200,
        message: 'Listener removed',
        data: {listener_id: listener.listener_id, name: listener.name, discarded},
      }
    })
}
