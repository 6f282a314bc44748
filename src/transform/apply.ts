import {cachedRead} from '../store/config-cache.js'
import type {Db} from '../store/db.js'
import {handleableJson} from '../store/json.js'
import {prepared} from '../store/table.js'
import type {Delivery, EventRecord, Headers} from '../store/types.js'
import type {Sandbox} from './sandbox.js'

/** The functions a delivery's payload goes through: its source's, then its subscription's. */
export interface DeliveryTransforms {
  sourceBody?: string
  sourceHeader?: string
  subscription?: string
}

export type Transformed = {ok: true; body: Buffer; headers: Record<string, string>} | {ok: false; error: string}

/** Look up the functions for one delivery (none: undefined, the usual case; both reads are cached). */
export function deliveryTransforms(db: Db, delivery: Delivery, event: EventRecord): DeliveryTransforms | undefined {
  const sub = cachedRead(db, 'subscription-function', delivery.subscription_id, () =>
    Object.freeze(
      prepared(db, `SELECT function FROM subscriptions WHERE id = ?`).get(delivery.subscription_id) as
        {function: string} | undefined,
    ),
  )
  const sourceId = event.source_id
  const source = sourceId
    ? cachedRead(db, 'source-functions', sourceId, () =>
        Object.freeze(
          prepared(db, `SELECT body_function, header_function FROM sources WHERE id = ?`).get(sourceId) as
            {body_function: string; header_function: string} | undefined,
        ),
      )
    : undefined
  const transforms: DeliveryTransforms = {
    sourceBody: source?.body_function || undefined,
    sourceHeader: source?.header_function || undefined,
    subscription: sub?.function || undefined,
  }
  return transforms.sourceBody || transforms.sourceHeader || transforms.subscription ? transforms : undefined
}

const flat = (headers: Headers) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]))

/**
 * Run a delivery's functions over the stored event: body functions on its JSON body, the
 * header function on its headers. The stored event is never changed; what comes out is what
 * gets signed and sent. Never rejects: a function that fails, or a sandbox that cannot take
 * the job, is a failed result saying why.
 */
export async function applyTransforms(
  sandbox: Sandbox,
  event: EventRecord,
  transforms: DeliveryTransforms,
): Promise<Transformed> {
  const run = async (what: string, source: string, payload: unknown) => {
    try {
      const result = await sandbox.runTransform(source, payload)
      return result.ok ? result : {ok: false as const, error: `transformation failed (${what}): ${result.error}`}
    } catch (error) {
      return {ok: false as const, error: `transformation failed (${what}): ${(error as Error).message}`}
    }
  }
  let body = event.body
  const bodySteps = [
    ['source body_function', transforms.sourceBody],
    ['subscription function', transforms.subscription],
  ].filter((step): step is [string, string] => Boolean(step[1]))
  if (bodySteps.length) {
    const json = handleableJson(event.body)
    if (!json.ok)
      return {ok: false, error: 'transformation: the event body is not JSON, so transform(payload) cannot run on it'}
    let payload = json.value
    for (const [what, source] of bodySteps) {
      const result = await run(what, source, payload)
      if (!result.ok) return result
      payload = result.payload
    }
    body = Buffer.from(JSON.stringify(payload))
  }
  let headers: Record<string, string> = {}
  if (transforms.sourceHeader) {
    const result = await run('source header_function', transforms.sourceHeader, flat(event.headers))
    if (!result.ok) return result
    const out = result.payload
    if (!out || typeof out !== 'object' || Array.isArray(out))
      return {
        ok: false,
        error: 'transformation failed (source header_function): transform(headers) must return an object',
      }
    headers = Object.fromEntries(
      Object.entries(out as Record<string, unknown>)
        .filter(([name, value]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) && typeof value === 'string')
        .map(([name, value]) => [name, (value as string).replace(/[\r\n]/g, ' ')]),
    )
  }
  return {ok: true, body, headers}
}
