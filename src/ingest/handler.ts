import type {IncomingMessage, ServerResponse} from 'node:http'

import {errorEnvelope, sendJson} from '../api/http.js'
import {storeEvent} from '../core/events.js'
import {findSourceByMask} from '../core/sources.js'
import {HttpError} from '../errors.js'
import type {RelayEvents} from '../relay/relay-events.js'
import type {Db} from '../store/db.js'
import {getProject} from '../store/projects.js'
import type {Headers} from '../store/types.js'
import {announceStored} from '../relay/relay-events.js'
import {answerAndDrain, BodyRefused, readIngestBody} from './body-reader.js'
import {IngestBudget, ingestLimits, type IngestLimits} from './limits.js'
import {extractFirst} from './providers.js'
import {eventTypeLocations, idempotencyLocations, verifierFor} from './source-verifier.js'
import {keptBody, pruneUnverified, recordBodyInfo} from './unverified.js'
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
  /** Bounds on what ingest traffic may hold; defaults in DEFAULT_INGEST_LIMITS. */
  limits?: Partial<IngestLimits>
}

/**
 * `ANY /ingest/{mask_id}[/more/path]`: keep the request exactly as it came (method, path
 * suffix, query, headers, body bytes), verify it, store it, then answer. A request that
 * fails verification is stored too, flagged, with only the head of its body, and answered
 * 401 with the reason.
 */
export function createIngestHandler(ctx: IngestContext) {
  const limits = ingestLimits(ctx.limits)
  const budget = new IngestBudget(limits)
  const retryAfter = {'retry-after': String(limits.retryAfterSeconds)}
  const refuse = (req: IncomingMessage, res: ServerResponse, refusal: BodyRefused) =>
    answerAndDrain(req, res, refusal.status, errorEnvelope(refusal.message), {
      headers: refusal.headers,
      drainBytes: limits.drainBytes,
      idleMs: limits.idleTimeoutMs,
    })

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

    // Refused from the declared length before a byte is read or buffered.
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > source.body_limit) {
      const message = `request body is ${declared} bytes, above the limit of ${source.body_limit} bytes`
      return refuse(req, res, new BodyRefused(413, message))
    }
    const ticket = budget.admit(source.id)
    if ('status' in ticket) return refuse(req, res, new BodyRefused(ticket.status, ticket.message, retryAfter))
    try {
      if (Number.isFinite(declared) && declared > 0) {
        const over = ticket.grow(declared)
        if (over) return refuse(req, res, new BodyRefused(over.status, over.message, retryAfter))
      }
      let body: Buffer
      try {
        body = await readIngestBody(req, {
          limit: source.body_limit,
          // The declared length is already claimed: don't count its bytes twice.
          ticket: Number.isFinite(declared) && declared > 0 ? {grow: () => undefined, release: () => {}} : ticket,
          limits,
          retryAfter,
        })
      } catch (error) {
        if (error instanceof BodyRefused) return refuse(req, res, error)
        throw error
      }
      await storeAndAnswer(ctx, limits, {req, res, url, source, project, body, rest})
    } finally {
      ticket.release()
    }
  }
}

type Found = {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  source: NonNullable<ReturnType<typeof findSourceByMask>>
  project: NonNullable<ReturnType<typeof getProject>>
  body: Buffer
  rest: string[]
}

async function storeAndAnswer(ctx: IngestContext, limits: IngestLimits, found: Found): Promise<void> {
  const {req, res, url, source, project, body, rest} = found
  const headers = rawHeaders(req)
  const now = Date.now()
  const verdict = verifyInbound(verifierFor(source), {headers: req.headers, body, now})
  const extract = {headers: req.headers, body, query: url.searchParams, contentType: req.headers['content-type']}
  const eventType = extractFirst(eventTypeLocations(source), extract) ?? ''
  const idempotencyKey = verdict.ok ? (extractFirst(idempotencyLocations(source), extract) ?? null) : null
  const kept = verdict.ok ? {body, info: null} : keptBody(body, limits.unverified)
  const stored = await ctx.write(() => {
    const result = storeEvent(
      ctx.db,
      project,
      {
        target: {kind: 'source', sourceId: source.id},
        eventType,
        body: kept.body,
        headers,
        idempotencyKey,
        method: req.method ?? 'POST',
        urlPath: rest.length ? '/' + rest.join('/') : '',
        urlQuery: url.search.replace(/^\?/, ''),
        verificationError: verdict.ok ? null : verdict.reason,
      },
      now,
    )
    if (kept.info) {
      recordBodyInfo(ctx.db, result.event.id, kept.info)
      result.event.body_info = kept.info
    }
    if (!verdict.ok) pruneUnverified(ctx.db, source.id, limits.unverified)
    return result
  })
  announceStored(ctx.events, project.id, stored)
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
