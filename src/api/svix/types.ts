import type {Project} from '../../store/types.js'
import type {SvixOperational} from '../../svix/operational.js'
import type {ApiContext} from '../context.js'
import type {ApiResult} from '../router.js'

/** What a Svix route handler gets: the relay's API context and the token's project. */
export interface SvixContext {
  api: ApiContext
  project: Project
  operational?: SvixOperational
}

/** A Svix answer: the body as is (no Convoy envelope); undefined body for 204/202-empty. */
export const svixResult = (status: number, data?: unknown): ApiResult => ({status, message: '', data})
