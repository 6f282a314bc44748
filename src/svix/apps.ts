import {HttpError, notFound} from '../errors.js'
import {deleteEndpoint} from '../core/endpoints.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {endpoints, svixApps} from '../store/resources.js'
import type {SvixApp} from '../store/types.js'
import {ulid} from '../util/ulid.js'

/** What ApplicationIn / ApplicationPatch carry, validated. */
export interface AppFields {
  name?: string
  uid?: string | null
  rateLimit?: number | null
  metadata?: Record<string, string>
}

/** By id first, then by uid: Svix accepts either wherever an app is named. */
export function findApp(db: Db, projectId: string, idOrUid: string): SvixApp | undefined {
  return (
    svixApps.get(db, projectId, idOrUid) ?? svixApps.find(db, ['project_id = ?', 'uid = ?'], [projectId, idOrUid])[0]
  )
}

export function requireApp(db: Db, projectId: string, idOrUid: string): SvixApp {
  const app = findApp(db, projectId, idOrUid)
  if (!app) throw notFound(`application ${idOrUid}`)
  return app
}

function checkUid(db: Db, projectId: string, uid: string | null | undefined, self?: string): void {
  if (!uid) return
  const other = svixApps.find(db, ['project_id = ?', 'uid = ?'], [projectId, uid])[0]
  if (other && other.id !== self) throw new HttpError(409, `an application with uid ${uid} already exists`)
}

export function createApp(db: Db, projectId: string, fields: AppFields & {name: string}): SvixApp {
  checkUid(db, projectId, fields.uid)
  const now = nowIso()
  return svixApps.insert(db, {
    id: `app_${ulid()}`,
    project_id: projectId,
    uid: fields.uid ?? null,
    name: fields.name,
    rate_limit: fields.rateLimit ?? null,
    metadata: fields.metadata ?? {},
    created_at: now,
    updated_at: now,
  })
}

/** Patch semantics: fields left undefined keep their value. */
export function updateApp(db: Db, app: SvixApp, fields: AppFields): SvixApp {
  if (fields.uid !== undefined) checkUid(db, app.project_id, fields.uid, app.id)
  return svixApps.update(db, {
    ...app,
    name: fields.name ?? app.name,
    uid: fields.uid === undefined ? app.uid : fields.uid,
    rate_limit: fields.rateLimit === undefined ? app.rate_limit : fields.rateLimit,
    metadata: fields.metadata ?? app.metadata,
    updated_at: nowIso(),
  })
}

/** The app and its endpoints (with their subscriptions) go together; its messages stay stored. */
export function deleteApp(db: Db, app: SvixApp): void {
  db.transaction(() => {
    for (const endpoint of endpoints.find(db, ['project_id = ?', 'owner_id = ?'], [app.project_id, app.id]))
      deleteEndpoint(db, app.project_id, endpoint.id)
    svixApps.remove(db, app.project_id, app.id)
  })()
}

export function listApps(db: Db, projectId: string, page: PageQuery) {
  return svixApps.page(db, ['project_id = ?'], [projectId], page)
}
