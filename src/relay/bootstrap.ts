import {randomBytes} from 'node:crypto'

import type {Db} from '../store/db.js'
import {
  createApiKey,
  defaultProjectConfig,
  deleteApiKeysNamed,
  getMeta,
  getProject,
  hashApiKey,
  insertProject,
  setMeta,
} from '../store/projects.js'

/** The admin key's SHA-256 (migration 3 replaced the plain `admin_api_key`). */
const ADMIN_KEY_HASH_META = 'admin_api_key_sha256'
const DEFAULT_PROJECT_META = 'default_project_id'
const ADMIN_KEY_NAME = 'admin'

export interface BootstrapResult {
  adminKey: string
  defaultProjectId: string
  /** First start: the key and project were just made. */
  created: boolean
  /** The stored key's plain text was not among `knownKeys`: a new admin key replaced it. */
  replaced: boolean
}

function installAdminKey(db: Db, key: string): void {
  deleteApiKeysNamed(db, ADMIN_KEY_NAME)
  createApiKey(db, {projectId: null, name: ADMIN_KEY_NAME, key})
  setMeta(db, ADMIN_KEY_HASH_META, hashApiKey(key))
}

const generateAdminKey = (): string => `CARAVAN.${randomBytes(24).toString('base64url')}`

/**
 * First start: make the admin API key and a default project. Later starts reuse them,
 * unless an explicit key is given (`--api-key` / CARAVAN_API_KEY), which replaces it.
 *
 * The store keeps only the admin key's hash, like every other key. Its plain text lives in
 * the local profile (0600), which the relay rewrites on every start: `knownKeys` are the
 * keys found there, and the one matching the stored hash is the admin key. When none
 * matches (the profile was removed, another config dir) the key cannot be recovered, so a
 * new one replaces it and is recorded in the profile again.
 */
export function bootstrapStore(db: Db, opts: {apiKey?: string; knownKeys?: string[]}): BootstrapResult {
  return db.transaction(() => {
    const storedHash = getMeta(db, ADMIN_KEY_HASH_META)
    let adminKey: string
    let created = false
    let replaced = false
    if (opts.apiKey) {
      adminKey = opts.apiKey
      if (hashApiKey(adminKey) !== storedHash) installAdminKey(db, adminKey)
    } else if (storedHash) {
      const known = (opts.knownKeys ?? []).find((key) => hashApiKey(key) === storedHash)
      if (known) adminKey = known
      else {
        adminKey = generateAdminKey()
        installAdminKey(db, adminKey)
        replaced = true
      }
    } else {
      adminKey = generateAdminKey()
      installAdminKey(db, adminKey)
      created = true
    }
    let projectId = getMeta(db, DEFAULT_PROJECT_META)
    if (!projectId || !getProject(db, projectId)) {
      projectId = insertProject(db, {name: 'default', type: 'outgoing', config: defaultProjectConfig()}).id
      setMeta(db, DEFAULT_PROJECT_META, projectId)
    }
    return {adminKey, defaultProjectId: projectId, created, replaced}
  })()
}
