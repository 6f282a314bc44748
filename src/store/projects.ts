import {createHash, randomBytes} from 'node:crypto'

import {ulid} from '../util/ulid.js'
import {cachedRead, deepFreeze} from './config-cache.js'
import type {Db} from './db.js'
import {fromJson, nowIso, toJson} from './json.js'
import {paginate, type Page, type PageQuery} from './paginate.js'
import {prepared} from './table.js'
import type {Project, ProjectConfig, ProjectType} from './types.js'

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024

export function defaultProjectConfig(now = Date.now()): ProjectConfig {
  return {
    strategy: {type: 'linear', duration: 10, retry_count: 10},
    signature: {
      header: 'X-Convoy-Signature',
      scheme: 'convoy',
      versions: [{uid: ulid(now), hash: 'SHA256', encoding: 'hex', created_at: nowIso(now)}],
    },
    ratelimit: {count: 1000, duration: 60},
    disable_endpoint: false,
    add_event_id_trace_headers: true,
    max_payload_read_size: DEFAULT_BODY_LIMIT,
    meta_event: {is_enabled: false, type: 'http', url: '', secret: '', event_type: []},
    circuit_breaker: {consecutive_failure_threshold: 5, error_timeout: 30},
  }
}

interface ProjectRow {
  id: string
  name: string
  type: ProjectType
  config: string
  logo_url: string
  created_at: string
  updated_at: string
}

/**
 * Parsed configs by their stored text: the dispatcher and every API call read the project,
 * and parsing its JSON (with fresh defaults) each time was a measurable share of a
 * delivery. Each reader gets its own top-level copy; what is below it is shared and frozen,
 * so a change made in place fails loudly instead of reaching other readers.
 */
const parsedConfigs = new Map<string, ProjectConfig>()
const PARSED_CONFIGS_MAX = 1000

function parseConfig(text: string): ProjectConfig {
  let config = parsedConfigs.get(text)
  if (!config) {
    config = deepFreeze({...defaultProjectConfig(), ...fromJson<Partial<ProjectConfig>>(text, {})})
    if (parsedConfigs.size >= PARSED_CONFIGS_MAX) parsedConfigs.clear()
    parsedConfigs.set(text, config)
  }
  return {...config}
}

const toProject = (row: ProjectRow): Project => ({...row, config: parseConfig(row.config)})

export function insertProject(
  db: Db,
  input: {name: string; type: ProjectType; config: ProjectConfig; logo_url?: string},
): Project {
  const now = nowIso()
  const project: Project = {
    id: ulid(),
    name: input.name,
    type: input.type,
    config: input.config,
    logo_url: input.logo_url ?? '',
    created_at: now,
    updated_at: now,
  }
  db.prepare(
    `INSERT INTO projects (id, name, type, config, logo_url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(project.id, project.name, project.type, toJson(project.config), project.logo_url, now, now)
  return project
}

export function getProject(db: Db, id: string): Project | undefined {
  const project = cachedRead(db, 'project', id, () => {
    const row = prepared(db, `SELECT * FROM projects WHERE id = ? AND deleted_at IS NULL`).get(id) as
      ProjectRow | undefined
    return row && Object.freeze(toProject(row))
  })
  // The config's top level is the caller's to change (its nested values are frozen).
  return project && {...project, config: {...project.config}}
}

export function listProjects(db: Db, page: PageQuery): Page<Project> {
  const result = paginate<ProjectRow>(db, {table: 'projects', where: ['deleted_at IS NULL'], params: []}, page)
  return {...result, content: result.content.map(toProject)}
}

export function allProjects(db: Db): Project[] {
  const rows = db.prepare(`SELECT * FROM projects WHERE deleted_at IS NULL ORDER BY id`).all() as ProjectRow[]
  return rows.map(toProject)
}

export function updateProject(db: Db, project: Project): Project {
  const updated = {...project, updated_at: nowIso()}
  db.prepare(`UPDATE projects SET name = ?, config = ?, logo_url = ?, updated_at = ? WHERE id = ?`).run(
    updated.name,
    toJson(updated.config),
    updated.logo_url,
    updated.updated_at,
    updated.id,
  )
  return updated
}

export function deleteProject(db: Db, id: string): void {
  db.prepare(`UPDATE projects SET deleted_at = ? WHERE id = ?`).run(nowIso(), id)
}

// --- API keys -------------------------------------------------------------

/** How every API key is kept in the store (admin key included): its SHA-256, hex. */
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex')
const hashKey = hashApiKey

/** Convoy's key format: `CO.<id>.<secret>`; only its hash is stored. */
export function createApiKey(
  db: Db,
  input: {projectId: string | null; name: string; key?: string},
): {id: string; key: string} {
  const id = ulid()
  const key = input.key ?? `CO.${id}.${randomBytes(24).toString('base64url')}`
  db.prepare(`INSERT INTO api_keys (id, project_id, name, key_hash, created_at) VALUES (?, ?, ?, ?, ?)`).run(
    id,
    input.projectId,
    input.name,
    hashKey(key),
    nowIso(),
  )
  return {id, key}
}

/** The project a key may act on: `null` for the admin key (all projects), undefined if unknown. */
export function lookupApiKey(db: Db, key: string): {readonly projectId: string | null} | undefined {
  return cachedRead(db, 'api-key', key, () => {
    const row = prepared(db, `SELECT project_id FROM api_keys WHERE key_hash = ?`).get(hashKey(key)) as
      {project_id: string | null} | undefined
    return row && Object.freeze({projectId: row.project_id})
  })
}

export function deleteApiKeysNamed(db: Db, name: string): void {
  db.prepare(`DELETE FROM api_keys WHERE name = ?`).run(name)
}

// --- meta -----------------------------------------------------------------

export function getMeta(db: Db, key: string): string | undefined {
  const row = db.prepare(`SELECT value FROM meta WHERE key = ?`).get(key) as {value: string} | undefined
  return row?.value
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(
    key,
    value,
  )
}
