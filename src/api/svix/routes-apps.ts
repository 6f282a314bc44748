import {issueAppPortalAccess} from '../../portal/access.js'
import {CAPABILITIES, expireAppTokens} from '../../portal/tokens.js'
import {type AppFields, createApp, deleteApp, findApp, listApps, requireApp, updateApp} from '../../svix/apps.js'
import type {Router} from '../router.js'
import {appOut, listOut, svixPageQuery} from './serialize.js'
import {type SvixContext, svixResult} from './types.js'
import {invalid, SvixInput} from './validate.js'

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

  // A session of the customer portal (/portal) for one application: {url, token}.
  router.add('POST', '/api/v1/auth/app-portal-access/:app', async ({api, project}, {params, body}) => {
    const input = SvixInput.body(body)
    const capabilities = readCapabilities(input)
    const expiry = input.int('expiry', {min: 1, max: 7 * 24 * 3600})
    const readOnly = input.bool('readOnly')
    const sessionId = input.str('sessionId', {max: 256})
    input.names('featureFlags')
    const inline = input.nested('application')
    const appFields = inline ? readApp(inline, true) : undefined
    const access = await api.write(() => {
      // `application` creates the app (uid = the path) when it does not exist; ignored otherwise.
      let app = findApp(api.db, project.id, params.app)
      if (!app && appFields) {
        const uid = SvixInput.body({uid: params.app}, ['path']).name('uid', {required: true})
        app = createApp(api.db, project.id, {...appFields, name: appFields.name ?? params.app, uid})
      }
      if (!app) return undefined
      return issueAppPortalAccess(api.db, api.baseUrl(), app, {capabilities, readOnly, sessionId, expiry})
    })
    if (!access) requireApp(api.db, project.id, params.app)
    return svixResult(200, access)
  })

  // Svix's expire-all: the app's portal sessions (or those of sessionIds) end after `expiry` seconds (default now).
  router.add('POST', '/api/v1/auth/app/:app/expire-all', async ({api, project}, {params, body}) => {
    const input = SvixInput.body(body)
    const delaySeconds = input.int('expiry', {min: 0, max: 7 * 24 * 3600})
    const sessionIds = input.names('sessionIds', {maxLength: 256})
    const app = requireApp(api.db, project.id, params.app)
    await api.write(() => expireAppTokens(api.db, project.id, app.id, {delaySeconds, sessionIds}))
    return svixResult(204)
  })

  // Logout with a portal token ends that session (handled before authentication, see server.ts);
  // with an API key there is no session to end.
  router.add('POST', '/api/v1/auth/logout', () => svixResult(204))
}

/** AppPortalCapability values; ManageTransformations is accepted and grants nothing here. */
function readCapabilities(input: SvixInput): string[] | undefined {
  if (!input.given('capabilities') || input.raw('capabilities') === null) return undefined
  const given = input.raw('capabilities')
  const known = [...CAPABILITIES, 'ManageTransformations']
  if (!Array.isArray(given)) throw invalid(['body', 'capabilities'], 'value is not a valid list', 'type_error.list')
  given.forEach((c, i) => {
    if (typeof c !== 'string' || !known.includes(c))
      throw invalid(
        ['body', 'capabilities', String(i)],
        `value is not a valid enumeration member; permitted: ${known.join(', ')}`,
        'type_error.enum',
      )
  })
  return given as string[]
}
