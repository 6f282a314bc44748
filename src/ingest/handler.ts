import type {IncomingMessage, ServerResponse} from 'node:http'

import {readBody, sendJson} from '../api/http.js'
import {storeEvent} from '../core/events.js'
import {findSourceByMask} from '../core/sources.js'
import {HttpError} from '../errors.js'
import type {RelayEvents} from '../relay/relay-events.js'
import type {Db} from '../store/db.js'
import {getProject} from '../store/projects.js'
import type {Headers} from '../store/types.js'
import {extractAt, extractFirst} from './providers.js'
import {eventTypeLocation, idempotencyLocations, verifierFor} from './source-verifier.js'
import {verifyInbound} from './verifier.js'

/** Headers exactly as received (names lower-cased, repeated headers kept apart). */
export function rawHeaders(req: IncomingMessage): Headers {
  const out: Headers = {}
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase()
    ;(out[name] ??= []).push(req.rawHeaders[i + 1])
  }
  return out
}

export interface IngestContext {
  db: Db
  events: RelayEvents
  /** Commit through the relay's group-commit writer. */
  write: <T>(work: () => T) => Promise<T>
}

/**
 * `ANY /ingest/{mask_id}[/more/path]`: keep the request exactly as it came (method, path
 * suffix, query, headers, body bytes), verify it, store it, then answer. A request that
 * fails verification is stored too, flagged, and answered 401 with the reason.
 */
export function createIngestHandler(ctx: IngestContext) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const [, , maskId = '', ...rest] = url.pathname.split('/')
    const source = maskId ? findSourceByMask(ctx.db, maskId) : undefined
    if (!source) {
      req.resume()
      throw new HttpError(404, `no source with ingest id "${maskId}"`)
    }
    if (source.is_disabled) {
      req.resume()
      throw new HttpError(403, `source ${source.name} is disabled`)
    }
    const project = getProject(ctx.db, source.project_id)
    if (!project) throw new HttpError(404, `source ${source.name} belongs to no project`)
    const body = await readBody(req, source.body_limit)
    const headers = rawHeaders(req)
    const now = Date.now()
    const verdict = verifyInbound(verifierFor(source), {headers: req.headers, body, now})
    const extract = {headers: req.headers, body, query: url.searchParams, contentType: req.headers['content-type']}
    const typeAt = eventTypeLocation(source)
    const eventType = (typeAt && extractAt(typeAt, extract)) || ''
    const idempotencyKey = verdict.ok ? (extractFirst(idempotencyLocations(source), extract) ?? null) : null
    const stored = await ctx.write(() =>
      storeEvent(
        ctx.db,
        project,
        {
          target: {kind: 'source', sourceId: source.id},
          eventType,
          body,
          headers,
          idempotencyKey,
          method: req.method ?? 'POST',
          urlPath: rest.length ? '/' + rest.join('/') : '',
          urlQuery: url.search.replace(/^\?/, ''),
          verificationError: verdict.ok ? null : verdict.reason,
        },
        now,
      ),
    )
    ctx.events.emit('event.created', stored)
    if (stored.deliveries.length) ctx.events.emit('deliveries.scheduled', {projectId: project.id})
    // The id lets a user go from the response to the stored (and, on 401, flagged) event.
    res.setHeader('x-caravan-event-id', stored.event.id)
    if (!verdict.ok) throw new HttpError(401, `verification failed: ${verdict.reason}`)
    if (source.custom_response && source.custom_response.body) {
      const payload = Buffer.from(source.custom_response.body)
      res.writeHead(200, {
        'content-type': source.custom_response.content_type || 'text/plain',
        'content-length': payload.length,
      })
      res.end(payload)
      return
    }
    sendJson(res, 200, {
      status: true,
      message: stored.event.is_duplicate ? 'Duplicate event received' : 'Event received',
    })
  }
}
