import {badRequest, HttpError} from '../errors.js'
import {MAX_FUNCTION_BYTES, type Sandbox, SandboxUnavailable} from '../transform/sandbox.js'
import type {Input} from './input.js'

/**
 * What the sandbox said of each function source in a request body (null: it defines
 * transform()). Checking runs the source's top level, so it happens in the sandbox's worker,
 * before the synchronous parse and write that read the verdicts.
 */
export type FunctionChecks = ReadonlyMap<string, string | null>

/** No function checked: a body that sets one is refused (callers that never take functions). */
export const NO_FUNCTIONS: FunctionChecks = new Map()

/**
 * Check the function fields `names` of a request body in the sandbox. Fields that are not
 * a non-empty string within the size limit are left to readFunction, which answers for them
 * in its usual order (so a body's first problem is still the one reported).
 */
export async function checkFunctions(sandbox: Sandbox, body: unknown, names: string[]): Promise<FunctionChecks> {
  const checks = new Map<string, string | null>()
  if (!body || typeof body !== 'object' || Array.isArray(body)) return checks
  const sources = new Set(
    names
      .map((name) => (body as Record<string, unknown>)[name])
      .filter((v): v is string => typeof v === 'string' && v !== '' && v.length <= MAX_FUNCTION_BYTES),
  )
  try {
    await Promise.all([...sources].map(async (source) => checks.set(source, await sandbox.functionProblem(source))))
  } catch (error) {
    if (error instanceof SandboxUnavailable) throw new HttpError(503, `cannot check the function: ${error.message}`, 1)
    throw error
  }
  return checks
}

/** A transformation function field: absent keeps `base`, '' removes it, anything else must define transform(). */
export function readFunction(input: Input, name: string, base: string, checks: FunctionChecks): string {
  if (input.raw(name) === undefined || input.raw(name) === null) return base
  const source = input.raw(name) === '' ? '' : input.str(name, {max: MAX_FUNCTION_BYTES})
  if (!source) return ''
  const problem = checks.get(source)
  if (problem === undefined) throw badRequest(`${input.field(name)}: functions cannot be set here`)
  if (problem) throw badRequest(`${input.field(name)}: ${problem}`)
  return source
}
