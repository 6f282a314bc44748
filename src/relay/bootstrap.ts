import {randomBytes} from 'node:crypto'

import type {Db} from '../store/db.js'
import {
  createApiKey,
  defaultProjectConfig,
  deleteApiKeysNamed,
  getMeta,
  getProject,
  insertProject,
  setMeta,
} from '../store/projects.js'

const ADMIN_KEY_META = 'admin_api_key'
const DEFAULT_PROJECT_META = 'default_project_id'
const ADMIN_KEY_NAME = 'admin'

/**
 * First start: make the admin API key and a default project. Later starts reuse them,
 * unless an explicit key is given (`--api-key` / CARAVAN_API_KEY), which replaces it.
 */
export function bootstrapStore(
  db: Db,
  opts: {apiKey?: string},
): {adminKey: string; defaultProjectId: string; created: boolean} {
  return db.transaction(() => {
    let adminKey = getMeta(db, ADMIN_KEY_META)
    let created = false
    if (opts.apiKey && opts.apiKey !== adminKey) {
      deleteApiKeysNamed(db, ADMIN_KEY_NAME)
      adminKey = opts.apiKey
      createApiKey(db, {projectId: null, name: ADMIN_KEY_NAME, key: adminKey})
      setMeta(db, ADMIN_KEY_META, adminKey)
    } else if (!adminKey) {
      adminKey = `CARAVAN.${randomBytes(24).toString('base64url')}`
      createApiKey(db, {projectId: null, name: ADMIN_KEY_NAME, key: adminKey})
      setMeta(db, ADMIN_KEY_META, adminKey)
      created = true
    }
    let projectId = getMeta(db, DEFAULT_PROJECT_META)
    if (!projectId || !getProject(db, projectId)) {
      projectId = insertProject(db, {name: 'default', type: 'outgoing', config: defaultProjectConfig()}).id
      setMeta(db, DEFAULT_PROJECT_META, projectId)
    }
    return {adminKey, defaultProjectId: projectId, created}
  })()
}
