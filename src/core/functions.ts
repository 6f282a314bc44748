import {badRequest} from '../errors.js'
import {functionProblem, MAX_FUNCTION_BYTES} from '../transform/sandbox.js'
import type {Input} from './input.js'

/** A transformation function field: absent keeps `base`, '' removes it, anything else must define transform(). */
export function readFunction(input: Input, name: string, base: string): string {
  if (input.raw(name) === undefined || input.raw(name) === null) return base
  const source = input.raw(name) === '' ? '' : input.str(name, {max: MAX_FUNCTION_BYTES})
  if (!source) return ''
  const problem = functionProblem(source)
  if (problem) throw badRequest(`${input.field(name)}: ${problem}`)
  return source
}
