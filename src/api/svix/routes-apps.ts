import {HttpError} from '../../errors.js'
import {type AppFields, createApp, deleteApp, findApp, listApps, requireApp, updateApp} from '../../svix/apps.js'
import type {Router} from '../router.js'
import {appOut, listOut, svixPageQuery} from './serialize.js'
import {type SvixContext, svixResult} from './types.js'
import {SvixInput} from './validate.js'

/** ApplicationIn (full) or ApplicationPatch (every field optional; null clears uid and rate limit). */
export function readApp(input: SvixInput, full: boolean): AppFields {
  const fields: AppFields = {name: input.str('name', {required: full as true, min: 1, max: 256})}
  if (input.given('uid')) fields.uid = input.raw('uid') === null ? null : input.name('uid')
  for (const name of ['rateLimit', 'throttleRate']) {
    if (!input.given(name)) continue
    fields.rateLimit = input.raw(name) === null ? null : input.int(name, {min: 1, max: 65_535})
  }
  fields.metadata = input.stringMap('metadata')
  return fields
}

export function addAppRoutes(router: Router<SvixContext>): void {
  router.add('GET', '/api/v1/app', ({api, project}, {query}) => {
    const page = svixPageQuery(query)
    return svixResult(200, listOut(listApps(api.db, project.id, page), page, appOut))
  })

  router.add('POST', '/api/v1/app', async ({api, project}, {body, query}) => {
    const fields = readApp(SvixInput.body(body), true) as AppFields & {name: string}
    if (query.get('get_if_exists') === 'true' && fields.uid) {
      const existing = findApp(api.db, project.id, fields.uid)
      if (existing) return svixResult(200, appOut(existing))
    }
    return svixResult(201, appOut(await api.write(() => createApp(api.db, project.id, fields))))
  })

  router.add('GET', '/api/v1/app/:app', ({api, project}, {params}) =>
    svixResult(200, appOut(requireApp(api.db, project.id, params.app))),
  )

  // PUT creates the app (uid = the path) when it does not exist yet.
  router.add('PUT', '/api/v1/app/:app', async ({api, project}, {body, params}) => {
    const fields = readApp(SvixInput.body(body), true) as AppFields & {name: string}
    const existing = findApp(api.db, project.id, params.app)
    if (existing) return svixResult(200, appOut(await api.write(() => updateApp(api.db, existing, fields))))
    const uid = SvixInput.body({uid: fields.uid ?? params.app}, ['path']).name('uid', {required: true})
    return svixResult(201, appOut(await api.write(() => createApp(api.db, project.id, {...fields, uid}))))
  })

  router.add('PATCH', '/api/v1/app/:app', async ({api, project}, {body, params}) => {
    const app = requireApp(api.db, project.id, params.app)
    const fields = readApp(SvixInput.body(body), false)
    return svixResult(200, appOut(await api.write(() => updateApp(api.db, app, fields))))
  })

  router.add('DELETE', '/api/v1/app/:app', async ({api, project}, {params}) => {
    const app = requireApp(api.db, project.id, params.app)
    await api.write(() => deleteApp(api.db, app))
    return svixResult(204)
  })

  router.add('POST', '/api/v1/auth/app-portal-access/:app', ({api, project}, {params, body}) => {
    SvixInput.body(body)
    requireApp(api.db, project.id, params.app)
    // A link that goes nowhere would be worse than an honest error: there is no portal yet.
    throw new HttpError(
      501,
      'app-portal-access: the application portal is not supported by this server yet; manage endpoints through the API or the caravan CLI',
    )
  })

  // Svix's logout ends a portal session; this server issues none, so there is nothing to end.
  router.add('POST', '/api/v1/auth/logout', () => svixResult(204))
}
