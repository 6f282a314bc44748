import {badRequest, HttpError, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {DEFAULT_BODY_LIMIT} from '../store/projects.js'
import {sources} from '../store/resources.js'
import type {Source, SourceVerifier} from '../store/types.js'
import {randomToken, ulid} from '../util/ulid.js'
import {secretFormProblem} from '../ingest/secret-forms.js'
import {type FunctionChecks, NO_FUNCTIONS, readFunction} from './functions.js'
import {Input} from './input.js'

/**
 * Providers whose signature scheme Caravan knows. Convoy has github, twitter and shopify;
 * stripe and standard-webhooks are Caravan extensions. For each, the verifier is kept in
 * Convoy's hmac shape so Convoy clients can read it.
 */
export const PROVIDER_HMAC: Record<string, {header: string; hash: 'SHA256'; encoding: 'hex' | 'base64'}> = {
  github: {header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex'},
  stripe: {header: 'Stripe-Signature', hash: 'SHA256', encoding: 'hex'},
  shopify: {header: 'X-Shopify-Hmac-Sha256', hash: 'SHA256', encoding: 'base64'},
  'standard-webhooks': {header: 'webhook-signature', hash: 'SHA256', encoding: 'base64'},
}
export const PROVIDERS = Object.keys(PROVIDER_HMAC)
const VERIFIER_TYPES = ['noop', 'hmac', 'basic_auth', 'api_key'] as const

function readVerifier(input: Input | undefined, provider: string): SourceVerifier {
  if (provider) {
    const preset = PROVIDER_HMAC[provider]
    const secret = input?.obj_('hmac')?.str('secret') ?? input?.str('secret')
    if (!secret) throw badRequest(`verifier.hmac.secret is required for provider ${provider}`)
    const problem = secretFormProblem(provider, secret, 'verifier.hmac.secret')
    if (problem) throw badRequest(problem)
    return {type: 'hmac', hmac: {...preset, secret}}
  }
  if (!input) return {type: 'noop'}
  const type = input.str('type', {required: true, oneOf: VERIFIER_TYPES})
  switch (type) {
    case 'hmac': {
      const hmac = input.obj_('hmac')
      if (!hmac) throw badRequest('verifier.hmac is required when verifier.type is hmac')
      return {
        type,
        hmac: {
          header: hmac.str('header', {required: true, max: 200}),
          hash: hmac.str('hash', {oneOf: ['SHA256', 'SHA512']}) ?? 'SHA256',
          encoding: hmac.str('encoding', {oneOf: ['hex', 'base64']}) ?? 'hex',
          secret: hmac.str('secret', {required: true}),
        },
      }
    }
    case 'basic_auth': {
      const basic = input.obj_('basic_auth')
      if (!basic) throw badRequest('verifier.basic_auth is required when verifier.type is basic_auth')
      return {
        type,
        basic_auth: {
          username: basic.str('username', {required: true}),
          password: basic.str('password', {required: true}),
        },
      }
    }
    case 'api_key': {
      const key = input.obj_('api_key')
      if (!key) throw badRequest('verifier.api_key is required when verifier.type is api_key')
      return {
        type,
        api_key: {
          header_name: key.str('header_name', {required: true}),
          header_value: key.str('header_value', {required: true}),
        },
      }
    }
    default:
      return {type: 'noop'}
  }
}

function readCustomResponse(input: Input | undefined, base: Source['custom_response']): Source['custom_response'] {
  if (!input) return base
  return {body: input.str('body') ?? '', content_type: input.str('content_type') ?? 'text/plain'}
}

function checkLocations(values: string[], field: string): string[] {
  values.forEach((v, i) => {
    // Convoy writes request.header.X; Caravan also takes the short header.X.
    if (!/^((request|req)\.)?(header|body|query)\.\S+$/.test(v)) {
      throw badRequest(
        `${field}[${i}] must look like header.<name>, body.<path> or query.<name>, optionally after request. (got "${v}")`,
      )
    }
  })
  return values
}

/**
 * The one rule every command and route uses to read `--source NAME|ID`: an ID first, then
 * the name (unique in a project).
 */
export function findSourceByRef(db: Db, projectId: string, ref: string): Source | undefined {
  return sources.get(db, projectId, ref) ?? sources.find(db, ['project_id = ?', 'name = ?'], [projectId, ref])[0]
}

/** Source names are unique in a project: a second `github` would leave commands guessing. */
function nameTaken(db: Db, projectId: string, name: string, except?: string): HttpError | undefined {
  const other = sources.find(db, ['project_id = ?', 'name = ?'], [projectId, name])[0]
  if (!other || other.id === except) return undefined
  return new HttpError(
    409,
    `name: a source named "${name}" already exists in this project (${other.id}); update it instead of creating another`,
  )
}

/** Insert or update, turning the unique index's refusal (a concurrent create) into the same 409. */
function saveUnique(db: Db, source: Source, save: (s: Source) => Source): Source {
  try {
    return save(source)
  } catch (error) {
    if (
      (error as {code?: string}).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
      /sources\.(project_id|name)/.test(String(error))
    )
      throw nameTaken(db, source.project_id, source.name, source.id) ?? error
    throw error
  }
}

/** `--if-not-exists`: the source with this name when there is one, else a new one. */
export function createSourceIfMissing(db: Db, projectId: string, body: unknown): {source: Source; created: boolean} {
  const name = Input.of(body).str('name', {required: true, max: 200})
  const existing = sources.find(db, ['project_id = ?', 'name = ?'], [projectId, name])[0]
  if (existing) return {source: existing, created: false}
  return {source: createSource(db, projectId, body), created: true}
}

/** `checks`: the sandbox's verdicts on the body's functions (checkFunctions); none refuses a function. */
export function createSource(db: Db, projectId: string, body: unknown, checks: FunctionChecks = NO_FUNCTIONS): Source {
  const input = Input.of(body)
  const now = nowIso()
  const provider = input.str('provider', {oneOf: PROVIDERS}) ?? ''
  const typeLocation = input.str('event_type_location')
  const source: Source = {
    id: ulid(),
    project_id: projectId,
    name: input.str('name', {required: true, max: 200}),
    mask_id: randomToken(16).toLowerCase(),
    type: (input.str('type', {oneOf: ['http']}) as 'http') ?? 'http',
    provider,
    verifier: readVerifier(input.obj_('verifier'), provider),
    idempotency_keys: checkLocations(input.strings('idempotency_keys') ?? [], 'idempotency_keys'),
    event_type_location: typeLocation ? checkLocations([typeLocation], 'event_type_location')[0] : '',
    custom_response: readCustomResponse(input.obj_('custom_response'), null),
    forward_headers: input.strings('forward_headers') ?? [],
    body_limit: input.int('body_limit', {min: 1, max: 100 * 1024 * 1024}) ?? DEFAULT_BODY_LIMIT,
    body_function: readFunction(input, 'body_function', '', checks),
    header_function: readFunction(input, 'header_function', '', checks),
    is_disabled: input.bool('is_disabled') ?? false,
    created_at: now,
    updated_at: now,
  }
  const taken = nameTaken(db, projectId, source.name)
  if (taken) throw taken
  return saveUnique(db, source, (x) => sources.insert(db, x))
}

export function requireSource(db: Db, projectId: string, id: string): Source {
  const source = sources.get(db, projectId, id)
  if (!source) throw notFound(`source ${id}`)
  return source
}

export function updateSource(
  db: Db,
  projectId: string,
  id: string,
  body: unknown,
  checks: FunctionChecks = NO_FUNCTIONS,
): Source {
  const current = requireSource(db, projectId, id)
  const input = Input.of(body)
  const provider = input.has('provider') ? (input.str('provider', {oneOf: PROVIDERS}) ?? '') : current.provider
  const verifierInput = input.obj_('verifier')
  const typeLocation = input.str('event_type_location')
  const next: Source = {
    ...current,
    name: input.str('name', {max: 200}) ?? current.name,
    provider,
    verifier: verifierInput || provider !== current.provider ? readVerifier(verifierInput, provider) : current.verifier,
    idempotency_keys: input.has('idempotency_keys')
      ? checkLocations(input.strings('idempotency_keys') ?? [], 'idempotency_keys')
      : current.idempotency_keys,
    event_type_location: typeLocation
      ? checkLocations([typeLocation], 'event_type_location')[0]
      : current.event_type_location,
    custom_response: readCustomResponse(input.obj_('custom_response'), current.custom_response),
    forward_headers: input.strings('forward_headers') ?? current.forward_headers,
    body_limit: input.int('body_limit', {min: 1, max: 100 * 1024 * 1024}) ?? current.body_limit,
    body_function: readFunction(input, 'body_function', current.body_function, checks),
    header_function: readFunction(input, 'header_function', current.header_function, checks),
    is_disabled: input.bool('is_disabled') ?? current.is_disabled,
    updated_at: nowIso(),
  }
  const taken = next.name === current.name ? undefined : nameTaken(db, projectId, next.name, current.id)
  if (taken) throw taken
  return saveUnique(db, next, (x) => sources.update(db, x))
}

export function deleteSource(db: Db, projectId: string, id: string): void {
  if (!sources.remove(db, projectId, id)) throw notFound(`source ${id}`)
}

export function listSources(db: Db, projectId: string, page: PageQuery, filter: {type?: string; provider?: string}) {
  const where = ['project_id = ?']
  const params: unknown[] = [projectId]
  if (filter.provider) {
    where.push('provider = ?')
    params.push(filter.provider)
  }
  if (filter.type) {
    where.push('type = ?')
    params.push(filter.type)
  }
  return sources.page(db, where, params, page)
}

export function findSourceByMask(db: Db, maskId: string): Source | undefined {
  return sources.find(db, ['mask_id = ?'], [maskId])[0]
}
