/**
 * `caravan trigger --override key=value` (as in `stripe trigger --override`): set a value at a
 * dot path in a JSON payload. `data.object.amount=2000`, `commits.0.message=hi` and
 * `items[0].qty=2` all work; the value is JSON when it parses as JSON (numbers, true, null,
 * objects), else the plain string. Missing objects along the path are created.
 */
import {CaravanError} from '../errors.js'

type Container = Record<string, unknown> | unknown[]

function usage(message: string): CaravanError {
  return new CaravanError('CARAVAN_ERR_USAGE', message, {
    hint: 'use --override path.to.key=value, e.g. --override data.object.amount=2000',
  })
}

export function parseOverride(text: string): {path: string[]; value: unknown} {
  const at = text.indexOf('=')
  if (at <= 0) throw usage(`--override must look like key=value (got "${text}")`)
  const path = text
    .slice(0, at)
    .trim()
    .replace(/\[(\w*)\]/g, '.$1')
    .split('.')
  if (path.some((segment) => segment === '')) throw usage(`--override has an empty key in "${text}"`)
  const raw = text.slice(at + 1)
  let value: unknown = raw
  try {
    value = JSON.parse(raw)
  } catch {
    // Not JSON: the plain string, as typed.
  }
  return {path, value}
}

function setAt(root: Container, path: string[], value: unknown, spec: string): void {
  let node: Container = root
  for (const [i, key] of path.entries()) {
    const last = i === path.length - 1
    if (Array.isArray(node)) {
      if (!/^\d+$/.test(key)) throw usage(`--override ${spec}: "${path.slice(0, i).join('.')}" is a list; use an index`)
    } else if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
      throw usage(`--override ${spec}: "${key}" cannot be set`)
    }
    const record = node as Record<string, unknown>
    if (last) {
      record[key] = value
      return
    }
    const next = record[key]
    if (next === undefined || next === null) record[key] = {}
    else if (typeof next !== 'object')
      throw usage(`--override ${spec}: "${path.slice(0, i + 1).join('.')}" is ${JSON.stringify(next)}, not an object`)
    node = record[key] as Container
  }
}

/** The JSON body with every override applied, in order; keeps the body's compact or pretty layout. */
export function applyOverrides(body: Buffer, overrides: string[]): Buffer {
  if (overrides.length === 0) return body
  const text = body.toString('utf8')
  let root: unknown
  try {
    root = JSON.parse(text)
  } catch {
    throw usage('--override needs a JSON payload, and this one is not JSON')
  }
  if (!root || typeof root !== 'object') throw usage('--override needs a JSON object or list as payload')
  for (const spec of overrides) {
    const {path, value} = parseOverride(spec)
    setAt(root as Container, path, value, spec)
  }
  const pretty = /^\s*[[{]\s*\n/.test(text)
  return Buffer.from(JSON.stringify(root, null, pretty ? 2 : undefined))
}
