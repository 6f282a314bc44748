import {badRequest, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import * as store from '../store/projects.js'
import type {Project, ProjectConfig, ProjectType} from '../store/types.js'
import {parseRetention} from '../retention/duration.js'
import {ulid} from '../util/ulid.js'
import {Input} from './input.js'

const PROJECT_TYPES = ['incoming', 'outgoing'] as const

/** Apply a (partial) Convoy `config` object onto a project's current config. */
export function applyProjectConfig(current: ProjectConfig, body: Input | undefined): ProjectConfig {
  if (!body) return current
  const next: ProjectConfig = structuredClone(current)

  const strategy = body.obj_('strategy')
  if (strategy) {
    next.strategy = {
      type:
        (strategy.str('type', {oneOf: ['linear', 'exponential']}) as 'linear' | 'exponential') ?? next.strategy.type,
      duration: strategy.int('duration', {min: 1, max: 86_400}) ?? next.strategy.duration,
      retry_count: strategy.int('retry_count', {min: 0, max: 100}) ?? next.strategy.retry_count,
    }
  }

  const signature = body.obj_('signature')
  if (signature) {
    next.signature.header = signature.str('header', {max: 100}) ?? next.signature.header
    next.signature.scheme =
      (signature.str('scheme', {oneOf: ['convoy', 'standard-webhooks']}) as ProjectConfig['signature']['scheme']) ??
      next.signature.scheme
    const versions = signature.raw('versions')
    if (versions !== undefined && versions !== null) {
      if (!Array.isArray(versions) || versions.length === 0) {
        throw badRequest(`${signature.field('versions')} must be a non-empty array`)
      }
      next.signature.versions = versions.map((v, i) => {
        const version = Input.of(v, `${signature.field('versions')}[${i}]`)
        return {
          uid: version.str('uid') ?? ulid(),
          hash: (version.str('hash', {oneOf: ['SHA256', 'SHA512']}) ?? 'SHA256') as 'SHA256' | 'SHA512',
          encoding: (version.str('encoding', {oneOf: ['hex', 'base64']}) ?? 'hex') as 'hex' | 'base64',
          created_at: version.str('created_at') ?? nowIso(),
        }
      })
    }
  }

  const ratelimit = body.obj_('ratelimit')
  if (ratelimit) {
    next.ratelimit = {
      count: ratelimit.int('count', {min: 0}) ?? next.ratelimit.count,
      duration: ratelimit.int('duration', {min: 1}) ?? next.ratelimit.duration,
    }
  }

  next.disable_endpoint = body.bool('disable_endpoint') ?? next.disable_endpoint
  next.add_event_id_trace_headers = body.bool('add_event_id_trace_headers') ?? next.add_event_id_trace_headers
  next.max_payload_read_size = body.int('max_payload_read_size', {min: 1}) ?? next.max_payload_read_size
  const validate = body.bool('validate_event_schemas')
  if (validate !== undefined) next.validate_event_schemas = validate

  const meta = body.obj_('meta_event')
  if (meta) {
    next.meta_event = {
      is_enabled: meta.bool('is_enabled') ?? next.meta_event.is_enabled,
      type: 'http',
      url: meta.has('url') ? (meta.url('url') ?? '') : next.meta_event.url,
      secret: meta.str('secret') ?? next.meta_event.secret,
      event_type: meta.strings('event_type') ?? next.meta_event.event_type,
    }
    if (meta.has('type')) meta.str('type', {oneOf: ['http']})
  }

  const breaker = body.obj_('circuit_breaker')
  if (breaker) {
    next.circuit_breaker = {
      consecutive_failure_threshold:
        breaker.int('consecutive_failure_threshold', {min: 1}) ?? next.circuit_breaker.consecutive_failure_threshold,
      error_timeout: breaker.int('error_timeout', {min: 1}) ?? next.circuit_breaker.error_timeout,
    }
  }
  const retention = body.obj_('retention_policy')
  if (retention) {
    const policy = retention.str('policy', {max: 50})
    if (policy) {
      try {
        parseRetention(policy)
      } catch (error) {
        throw badRequest(`${retention.field('policy')}: ${(error as Error).message}`)
      }
    }
    if (policy !== undefined) next.retention_policy = {policy}
  }
  return next
}

export function createProject(db: Db, body: unknown): {project: Project; apiKey: string} {
  const input = Input.of(body)
  const name = input.str('name', {required: true, max: 200})
  const type = input.str('type', {required: true, oneOf: PROJECT_TYPES}) as ProjectType
  const config = applyProjectConfig(store.defaultProjectConfig(), input.obj_('config'))
  return db.transaction(() => {
    const project = store.insertProject(db, {name, type, config, logo_url: input.str('logo_url')})
    const {key} = store.createApiKey(db, {projectId: project.id, name: `project:${project.id}`})
    return {project, apiKey: key}
  })()
}

export function requireProject(db: Db, id: string): Project {
  const project = store.getProject(db, id)
  if (!project) throw notFound(`project ${id}`)
  return project
}

export function updateProject(db: Db, id: string, body: unknown): Project {
  const project = requireProject(db, id)
  const input = Input.of(body)
  return store.updateProject(db, {
    ...project,
    name: input.str('name', {max: 200}) ?? project.name,
    logo_url: input.str('logo_url') ?? project.logo_url,
    config: applyProjectConfig(project.config, input.obj_('config')),
  })
}

export function deleteProject(db: Db, id: string): void {
  requireProject(db, id)
  store.deleteProject(db, id)
}
