import {HttpError} from '../../errors.js'
import {findEventType} from '../../core/event-types.js'
import {deleteEndpoint} from '../../core/endpoints.js'
import {nowIso} from '../../store/json.js'
import {requireApp} from '../../svix/apps.js'
import {
  createSvixEndpoint,
  endpointStats,
  listSvixEndpoints,
  liveSecret,
  requireSvixEndpoint,
  rotateSvixSecret,
  type SvixEndpointFields,
  updateSvixEndpoint,
} from '../../svix/endpoints.js'
import {createMessage, recoverEndpoint} from '../../svix/messages.js'
import {ulid} from '../../util/ulid.js'
import type {Router} from '../router.js'
import {announceStored} from '../../relay/relay-events.js'
import {endpointOut, listOut, messageOut, svixPageQuery} from './serialize.js'
import {type SvixContext, svixResult} from './types.js'
import {invalid, queryDate, SvixInput} from './validate.js'

const SECRET = /^(whsec_)?[a-zA-Z0-9+/=]{32,100}$/
/** Caravan extension: an ed25519 signing key (signs v1a); receivers verify with its whpk_ half. */
const ED25519_SECRET = /^whsk_[a-zA-Z0-9+/=]{40,100}$/

/** Headers the relay sets itself, or that would break the request: not settable per endpoint. */
const RESERVED_HEADER =
  /^(host|content-length|content-type|connection|transfer-encoding|keep-alive|upgrade|te|trailer|expect|user-agent|svix-.*|webhook-.*)$/i
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** Shown by name only in GET …/headers, as Svix does. */
const SENSITIVE_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key)$/i

function checkHeaders(headers: Record<string, unknown>, loc: string[]): void {
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name)) throw invalid([...loc, name], 'invalid header name')
    if (RESERVED_HEADER.test(name))
      throw invalid([...loc, name], `header ${name} is set by the server and cannot be overridden`)
    if (value !== null && (typeof value !== 'string' || /[\r\n\0]/.test(value)))
      throw invalid([...loc, name], 'header values must be strings without CR, LF or NUL', 'type_error.str')
  }
}

function readSecret(input: SvixInput, name: string): string | undefined {
  const value = input.str(name, {max: 120})
  if (value === undefined) return undefined
  if (!SECRET.test(value) && !ED25519_SECRET.test(value))
    throw invalid(['body', name], `string does not match regex "${SECRET.source}"`, 'value_error.str.regex')
  return value
}

/** EndpointIn (create), EndpointUpdate (PUT) or EndpointPatch (PATCH). */
function readEndpoint(input: SvixInput, mode: 'create' | 'update' | 'patch'): SvixEndpointFields {
  const fields: SvixEndpointFields = {
    url: mode === 'patch' ? input.url('url') : input.url('url', {required: true}),
    description: input.str('description', {max: 2000}),
    disabled: input.bool('disabled'),
    metadata: input.stringMap('metadata'),
    version: input.int('version', {min: 1}),
  }
  if (input.given('uid')) fields.uid = input.raw('uid') === null ? null : input.name('uid')
  // filterTypes is today's name; eventTypes the spec's older one.
  for (const name of ['eventTypes', 'filterTypes'])
    if (input.given(name)) fields.filterTypes = input.raw(name) === null ? null : (input.names(name) ?? null)
  if (input.given('channels'))
    fields.channels =
      input.raw('channels') === null ? null : (input.names('channels', {maxItems: 10, maxLength: 128}) ?? null)
  for (const name of ['rateLimit', 'throttleRate'])
    if (input.given(name)) fields.rateLimit = input.raw(name) === null ? null : input.int(name, {min: 1, max: 65_535})
  if (mode === 'create') {
    fields.secret = readSecret(input, 'secret')
    const headers = input.stringMap('headers')
    if (headers) checkHeaders(headers, ['body', 'headers'])
    fields.headers = headers
  }
  return fields
}

export function addEndpointRoutes(router: Router<SvixContext>): void {
  const base = '/api/v1/app/:app/endpoint'
  const one = `${base}/:endpoint`
  const lookup = ({api, project}: SvixContext, params: Record<string, string>) => {
    const app = requireApp(api.db, project.id, params.app)
    return {app, endpoint: requireSvixEndpoint(api.db, app, params.endpoint)}
  }

  router.add('GET', base, ({api, project}, {params, query}) => {
    const app = requireApp(api.db, project.id, params.app)
    const page = svixPageQuery(query)
    return svixResult(200, listOut(listSvixEndpoints(api.db, app, page), page, endpointOut))
  })

  router.add('POST', base, async (ctx, {params, body}) => {
    const {api, project} = ctx
    const app = requireApp(api.db, project.id, params.app)
    const fields = readEndpoint(SvixInput.body(body), 'create') as SvixEndpointFields & {url: string}
    const endpoint = await api.write(() => createSvixEndpoint(api.db, app, fields, api.targets))
    ctx.operational?.endpointChanged(project, app, endpoint, 'endpoint.created')
    return svixResult(201, endpointOut(endpoint))
  })

  router.add('GET', one, (ctx, {params}) => svixResult(200, endpointOut(lookup(ctx, params).endpoint)))

  const update =
    (mode: 'update' | 'patch') =>
    async (ctx: SvixContext, {params, body}: {params: Record<string, string>; body: unknown}) => {
      const {api, project} = ctx
      const {app, endpoint} = lookup(ctx, params)
      const fields = readEndpoint(SvixInput.body(body), mode)
      const updated = await api.write(() => updateSvixEndpoint(api.db, app, endpoint, fields, api.targets))
      if (updated.status === 'active' && endpoint.status !== 'active')
        api.events.emit('deliveries.scheduled', {projectId: project.id})
      ctx.operational?.endpointChanged(project, app, updated, 'endpoint.updated')
      return svixResult(200, endpointOut(updated))
    }
  router.add('PUT', one, update('update'))
  router.add('PATCH', one, update('patch'))

  router.add('DELETE', one, async (ctx, {params}) => {
    const {api, project} = ctx
    const {app, endpoint} = lookup(ctx, params)
    await api.write(() => deleteEndpoint(api.db, project.id, endpoint.id))
    ctx.operational?.endpointChanged(project, app, endpoint, 'endpoint.deleted')
    return svixResult(204)
  })

  router.add('GET', `${one}/secret`, (ctx, {params}) => {
    const secret = liveSecret(lookup(ctx, params).endpoint)
    if (!secret) throw new HttpError(404, 'the endpoint has no live secret')
    return svixResult(200, {key: secret.value})
  })

  router.add('POST', `${one}/secret/rotate`, async (ctx, {params, body}) => {
    const {endpoint} = lookup(ctx, params)
    const input = SvixInput.body(body)
    const key = readSecret(input, 'key')
    const graceSeconds = input.int('gracePeriodSeconds', {min: 0, max: 604_800})
    await ctx.api.write(() => rotateSvixSecret(ctx.api.db, endpoint, {key, graceSeconds}))
    return svixResult(204)
  })

  router.add('GET', `${one}/headers`, (ctx, {params}) => {
    const headers = lookup(ctx, params).endpoint.svix?.headers ?? {}
    const sensitive = Object.keys(headers).filter((h) => SENSITIVE_HEADER.test(h))
    return svixResult(200, {
      headers: Object.fromEntries(Object.entries(headers).filter(([h]) => !SENSITIVE_HEADER.test(h))),
      sensitive,
    })
  })

  const setHeaders =
    (merge: boolean) =>
    async (ctx: SvixContext, {params, body}: {params: Record<string, string>; body: unknown}) => {
      const {app, endpoint} = lookup(ctx, params)
      const input = SvixInput.body(body)
      const given = input.object('headers')
      if (!given) throw invalid(['body', 'headers'], 'field required', 'value_error.missing')
      checkHeaders(given, ['body', 'headers'])
      // PATCH merges (a null value removes the header); PUT replaces them all.
      const next: Record<string, string> = merge ? {...endpoint.svix?.headers} : {}
      for (const [name, value] of Object.entries(given)) {
        if (value === null) delete next[name]
        else next[name] = value as string
      }
      await ctx.api.write(() => updateSvixEndpoint(ctx.api.db, app, endpoint, {headers: next}))
      return svixResult(204)
    }
  router.add('PUT', `${one}/headers`, setHeaders(false))
  router.add('PATCH', `${one}/headers`, setHeaders(true))

  router.add('GET', `${one}/stats`, (ctx, {params, query}) => {
    const {endpoint} = lookup(ctx, params)
    return svixResult(
      200,
      endpointStats(ctx.api.db, endpoint, {since: queryDate(query, 'since'), until: queryDate(query, 'until')}),
    )
  })

  router.add('POST', `${one}/recover`, async (ctx, {params, body}) => {
    const {endpoint} = lookup(ctx, params)
    const input = SvixInput.body(body)
    const since = input.str('since', {required: true})
    const until = input.str('until')
    const range = (name: string, value: string | undefined) => {
      if (value === undefined) return undefined
      const ms = Date.parse(value)
      if (!Number.isFinite(ms)) throw invalid(['body', name], 'invalid datetime format', 'value_error.datetime')
      return new Date(ms).toISOString()
    }
    const count = await ctx.api.write(() =>
      recoverEndpoint(ctx.api.db, endpoint, range('since', since)!, range('until', until)),
    )
    ctx.api.resetCircuit?.(endpoint.id)
    if (count) ctx.api.events.emit('deliveries.scheduled', {projectId: ctx.project.id})
    // Done at once (the resends are queued): Svix's task shape, reported as running.
    return svixResult(202, {id: `qtask_${ulid()}`, status: 'running', task: 'endpoint.recover', updatedAt: nowIso()})
  })

  router.add('POST', `${one}/send-example`, async (ctx, {params, body}) => {
    const {app, endpoint} = lookup(ctx, params)
    const eventType = SvixInput.body(body).name('eventType', {required: true})
    const known = findEventType(ctx.api.db, ctx.project.id, eventType)
    const schema = known?.schemas?.['1'] as {examples?: unknown[]} | undefined
    const example = schema?.examples?.find((e) => e !== null && typeof e === 'object' && !Array.isArray(e))
    const payload = (example as Record<string, unknown> | undefined) ?? {type: eventType, example: true}
    const stored = await ctx.api.write(() =>
      createMessage(
        ctx.api.db,
        ctx.project,
        app,
        {eventType, payload, eventId: null, channels: endpoint.svix?.channels ?? null},
        endpoint,
      ),
    )
    announceStored(ctx.api.events, ctx.project.id, stored)
    return svixResult(200, messageOut(stored.event))
  })
}
