import {Input} from '../core/input.js'
import {badRequest, HttpError} from '../errors.js'
import {MAX_FUNCTION_BYTES, type Sandbox, SandboxUnavailable} from '../transform/sandbox.js'
import type {ApiContext, AuthedRequest} from './context.js'
import {projectOf} from './routes-management.js'
import type {Router} from './router.js'

type R = Router<ApiContext>

/** Run a function on a sample, as deliveries would: the result and what it logged, or 400 with why it failed. */
async function testFunction(sandbox: Sandbox, body: unknown, types: readonly string[]) {
  const input = Input.of(body)
  const source = input.str('function', {required: true, max: MAX_FUNCTION_BYTES})
  input.str('type', {oneOf: types})
  const result = await sandbox.runTransform(source, input.raw('payload') ?? {}).catch((error: unknown) => {
    if (error instanceof SandboxUnavailable) throw new HttpError(503, `cannot run the function: ${error.message}`, 1)
    throw error
  })
  if (!result.ok)
    throw badRequest(`function failed: ${result.error}${result.log.length ? ` (log: ${result.log.join(' | ')})` : ''}`)
  return {payload: result.payload, log: result.log}
}

export function addFunctionRoutes(router: R): void {
  const p = '/api/v1/projects/:projectID'
  router
    .add('POST', `${p}/subscriptions/test_function`, async (ctx, r) => {
      projectOf(ctx, r as AuthedRequest)
      return {
        status: 200,
        message: 'Subscription function run successfully',
        data: await testFunction(ctx.sandbox, r.body, ['body']),
      }
    })
    .add('POST', `${p}/sources/test_function`, async (ctx, r) => {
      projectOf(ctx, r as AuthedRequest)
      return {
        status: 200,
        message: 'Source function run successfully',
        data: await testFunction(ctx.sandbox, r.body, ['body', 'header']),
      }
    })
}
