import {HttpError, notFound} from '../errors.js'
import type {Db} from '../store/db.js'
import {nowIso} from '../store/json.js'
import type {PageQuery} from '../store/paginate.js'
import {eventTypes} from '../store/resources.js'
import type {EventType} from '../store/types.js'
import {ulid} from '../util/ulid.js'

/**
 * Event types of a project, one table for both APIs: Svix reads name, description,
 * archived, deprecated, schemas, featureFlags and groupName; Convoy reads name, category,
 * description, json_schema (Svix's schema version "1") and deprecated_at. Inputs arrive
 * validated by the API that received them; this module only keeps the rules they share.
 */
export interface EventTypeFields {
  description?: string
  category?: string
  schemas?: Record<string, unknown> | null
  archived?: boolean
  /** true deprecates now (kept if already deprecated), false undeprecates. */
  deprecated?: boolean
  feature_flags?: string[] | null
  group_name?: string | null
}

export function findEventType(db: Db, projectId: string, name: string): EventType | undefined {
  return eventTypes.find(db, ['project_id = ?', 'name = ?'], [projectId, name])[0]
}

export function requireEventType(db: Db, projectId: string, name: string): EventType {
  const found = findEventType(db, projectId, name)
  if (!found) throw notFound(`event type ${name}`)
  return found
}

function apply(base: EventType, fields: EventTypeFields, now: string): EventType {
  const next: EventType = {...base, updated_at: now}
  if (fields.description !== undefined) next.description = fields.description
  if (fields.category !== undefined) next.category = fields.category
  if (fields.schemas !== undefined) next.schemas = fields.schemas
  if (fields.archived !== undefined) next.archived = fields.archived
  if (fields.deprecated !== undefined) next.deprecated_at = fields.deprecated ? (base.deprecated_at ?? now) : null
  if (fields.feature_flags !== undefined) next.feature_flags = fields.feature_flags
  if (fields.group_name !== undefined) next.group_name = fields.group_name
  return next
}

export function createEventType(db: Db, projectId: string, name: string, fields: EventTypeFields): EventType {
  if (findEventType(db, projectId, name)) throw new HttpError(409, `event type ${name} already exists`)
  const now = nowIso()
  const base: EventType = {
    id: ulid(),
    project_id: projectId,
    name,
    description: '',
    category: '',
    schemas: null,
    archived: false,
    deprecated_at: null,
    feature_flags: null,
    group_name: null,
    created_at: now,
    updated_at: now,
  }
  return eventTypes.insert(db, apply(base, fields, now))
}

export function updateEventType(db: Db, projectId: string, name: string, fields: EventTypeFields): EventType {
  const current = requireEventType(db, projectId, name)
  return eventTypes.update(db, apply(current, fields, nowIso()))
}

/** Update when it exists, create otherwise (Svix's PUT). */
export function upsertEventType(
  db: Db,
  projectId: string,
  name: string,
  fields: EventTypeFields,
): {eventType: EventType; created: boolean} {
  const current = findEventType(db, projectId, name)
  if (current) return {eventType: eventTypes.update(db, apply(current, fields, nowIso())), created: false}
  return {eventType: createEventType(db, projectId, name, fields), created: true}
}

/** Svix's delete: archive (still listed with include_archived), or remove for good with `expunge`. */
export function deleteEventType(db: Db, projectId: string, name: string, expunge: boolean): void {
  const current = requireEventType(db, projectId, name)
  if (expunge) eventTypes.remove(db, projectId, current.id)
  else eventTypes.update(db, {...current, archived: true, updated_at: nowIso()})
}

export function listEventTypes(db: Db, projectId: string, page: PageQuery, filter: {includeArchived?: boolean}) {
  const where = ['project_id = ?']
  if (!filter.includeArchived) where.push('archived = 0')
  return eventTypes.page(db, where, [projectId], page)
}

/** Convoy addresses an event type by its uid; Caravan also takes its name. */
export function requireEventTypeByRef(db: Db, projectId: string, ref: string): EventType {
  const found = eventTypes.get(db, projectId, ref) ?? findEventType(db, projectId, ref)
  if (!found) throw notFound(`event type ${ref}`)
  return found
}

/** Every event type of a project not archived (Convoy lists them all, unpaged), oldest first. */
export function allEventTypes(db: Db, projectId: string): EventType[] {
  return eventTypes.find(db, ['project_id = ?', 'archived = 0'], [projectId])
}
