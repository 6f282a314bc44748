import * as endpointsCore from '../core/endpoints.js'
import {endpointFailureRates} from '../core/failure-rates.js'
import {checkFunctions} from '../core/functions.js'
import {Input} from '../core/input.js'
import {OAuth2Error} from '../delivery/oauth2.js'
import * as projectsCore from '../core/projects.js'
import * as sourcesCore from '../core/sources.js'
import * as subsCore from '../core/subscriptions.js'
import {HttpError} from '../errors.js'
import {allProjects} from '../store/projects.js'
import {endpoints as endpointTable, sources as sourceTable} from '../store/resources.js'
import type {Endpoint, Subscription} from '../store/types.js'
import {type ApiContext, type AuthedRequest, pageJson, pageQuery, queryList} from './context.js'
import type {Router} from './router.js'
import {endpointJson, projectJson, sourceJson, subscriptionJson} from './serialize.js'

type R = Router<ApiContext>

const SOURCE_FUNCTIONS = ['body_function', 'header_function']

/** The project a request names, checked against the key's scope. */
/** A subscription with its endpoint (and that endpoint's breaker state) and source embedded. */
export function subscriptionOut(ctx: ApiContext, sub: Subscription) {
  const endpoint = sub.endpoint_id ? endpointTable.get(ctx.db, sub.project_id, sub.endpoint_id) : undefined
  return subscriptionJson(sub, {
    endpoint,
    cbState: endpoint && ctx.circuitState?.(endpoint),
    source: sub.source_id ? sourceTable.get(ctx.db, sub.project_id, sub.source_id) : undefined,
    baseUrl: ctx.baseUrl(),
  })
}

export function projectOf(ctx: ApiContext, request: AuthedRequest) {
  const id = request.params.projectID
  if (request.keyProject !== null && request.keyProject !== id) {
    throw new HttpError(401, `this API key is not valid for project ${id}`)
  }
  return projectsCore.requireProject(ctx.db, id)
}

function adminOnly(request: AuthedRequest): void {
  if (request.keyProject !== null) throw new HttpError(401, 'this operation needs the admin API key, not a project key')
}

export function addManagementRoutes(router: R): void {
  const p = '/api/v1/projects'

  router
    .add('GET', p, (ctx, r) => {
      const req = r as AuthedRequest
      const projects = allProjects(ctx.db).filter((x) => req.keyProject === null || x.id === req.keyProject)
      return {status: 200, message: 'Projects fetched successfully', data: projects.map(projectJson)}
    })
    .add('POST', p, (ctx, r) => {
      adminOnly(r as AuthedRequest)
      const {project, apiKey} = projectsCore.createProject(ctx.db, r.body)
      return {
        status: 201,
        message: 'Project created successfully',
        data: {
          project: projectJson(project),
          api_key: {
            uid: apiKey.split('.')[1],
            key: apiKey,
            key_type: 'project',
            name: `${project.name}'s key`,
            created_at: project.created_at,
            expires_at: '',
          },
        },
      }
    })
    .add('GET', `${p}/:projectID`, (ctx, r) => ({
      status: 200,
      message: 'Project fetched successfully',
      data: projectJson(projectOf(ctx, r as AuthedRequest)),
    }))
    .add('PUT', `${p}/:projectID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      return {
        status: 202,
        message: 'Project updated successfully',
        data: projectJson(projectsCore.updateProject(ctx.db, project.id, r.body)),
      }
    })
    .add('DELETE', `${p}/:projectID`, (ctx, r) => {
      adminOnly(r as AuthedRequest)
      projectsCore.deleteProject(ctx.db, r.params.projectID)
      return {status: 200, message: 'Project deleted successfully'}
    })

  // --- endpoints
  const e = `${p}/:projectID/endpoints`
  const endpointOut = (ctx: ApiContext, x: Endpoint) => endpointJson(x, {cb_state: ctx.circuitState?.(x) ?? undefined})
  router
    .add('GET', e, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const page = endpointsCore.listEndpoints(ctx.db, project.id, pageQuery(r.query), {
        q: r.query.get('q') ?? undefined,
        ownerId: r.query.get('ownerId') ?? undefined,
        kind: r.query.get('kind') ?? undefined,
      })
      return {status: 200, message: 'Endpoints fetched successfully', data: pageJson(page, (x) => endpointOut(ctx, x))}
    })
    .add('POST', e, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      return {
        status: 201,
        message: 'Endpoint created successfully',
        data: endpointOut(ctx, endpointsCore.createEndpoint(ctx.db, project.id, r.body, ctx.targets)),
      }
    })
    .add('POST', `${e}/oauth2/test`, async (ctx, r) => {
      projectOf(ctx, r as AuthedRequest)
      const oauth2 = Input.of(r.body).obj_('oauth2')
      if (!oauth2) throw new HttpError(400, 'oauth2 is required')
      const config = endpointsCore.readOAuth2(oauth2)
      const refused = ctx.targets?.refuseUrl(config.url)
      if (refused) throw new HttpError(400, `oauth2.url: ${refused}`)
      if (!ctx.fetchOAuth2Token) throw new HttpError(501, 'this relay cannot fetch OAuth2 tokens')
      try {
        const token = await ctx.fetchOAuth2Token(config)
        return {
          status: 200,
          message: 'OAuth2 connection test successful',
          data: {
            success: true,
            access_token: token.accessToken,
            token_type: token.tokenType,
            expires_at: token.expiresAt === null ? '' : new Date(token.expiresAt).toISOString(),
            message: 'a token was fetched with these settings',
          },
        }
      } catch (error) {
        if (!(error instanceof OAuth2Error)) throw error
        // Like Convoy: the test ran, the token server said no.
        return {
          status: 200,
          message: 'OAuth2 connection test failed',
          data: {success: false, error: error.message, message: 'no token could be fetched with these settings'},
        }
      }
    })
    .add('GET', `${e}/period-failure-rates`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const endpointIds = queryList(r.query, 'endpointId')
      for (const id of endpointIds) endpointsCore.requireEndpoint(ctx.db, project.id, id)
      const data = endpointFailureRates(ctx.db, project.id, {
        startDate: r.query.get('startDate') || undefined,
        endDate: r.query.get('endDate') || undefined,
        endpointIds,
      })
      return {status: 200, message: 'Endpoint failure rates fetched successfully', data}
    })
    .add('GET', `${e}/:endpointID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      return {
        status: 200,
        message: 'Endpoint fetched successfully',
        data: endpointOut(ctx, endpointsCore.requireEndpoint(ctx.db, project.id, r.params.endpointID)),
      }
    })
    .add('PUT', `${e}/:endpointID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const updated = endpointsCore.updateEndpoint(ctx.db, project.id, r.params.endpointID, r.body, ctx.targets)
      return {status: 202, message: 'Endpoint updated successfully', data: endpointOut(ctx, updated)}
    })
    .add('DELETE', `${e}/:endpointID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      endpointsCore.deleteEndpoint(ctx.db, project.id, r.params.endpointID)
      return {status: 200, message: 'Endpoint deleted successfully'}
    })
    .add('PUT', `${e}/:endpointID/pause`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const updated = endpointsCore.togglePause(ctx.db, project.id, r.params.endpointID)
      if (updated.status === 'active') ctx.events.emit('deliveries.scheduled', {projectId: project.id})
      return {
        status: 202,
        message: `Endpoint ${updated.status === 'paused' ? 'paused' : 'unpaused'} successfully`,
        data: endpointOut(ctx, updated),
      }
    })
    .add('PUT', `${e}/:endpointID/expire_secret`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const updated = endpointsCore.expireSecret(ctx.db, project.id, r.params.endpointID, r.body)
      return {status: 200, message: 'Endpoint secret expired successfully', data: endpointOut(ctx, updated)}
    })
    .add('POST', `${e}/:endpointID/activate`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const updated = endpointsCore.activateEndpoint(ctx.db, project.id, r.params.endpointID)
      ctx.events.emit('deliveries.scheduled', {projectId: project.id})
      return {status: 202, message: 'Endpoint activated successfully', data: endpointOut(ctx, updated)}
    })

  // --- subscriptions
  const s = `${p}/:projectID/subscriptions`
  const subJson = subscriptionOut
  router
    .add('GET', s, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const endpointId = r.query.get('endpointId') ?? r.query.getAll('endpointId[]')[0]
      const page = subsCore.listSubscriptions(ctx.db, project.id, pageQuery(r.query), {
        endpointId,
        name: r.query.get('name') ?? undefined,
      })
      return {status: 200, message: 'Subscriptions fetched successfully', data: pageJson(page, (x) => subJson(ctx, x))}
    })
    .add('POST', s, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const checks = await checkFunctions(ctx.sandbox, r.body, ['function'])
      return {
        status: 201,
        message: 'Subscription created successfully',
        data: subJson(ctx, subsCore.createSubscription(ctx.db, project.id, r.body, checks)),
      }
    })
    .add('GET', `${s}/:subscriptionID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      return {
        status: 200,
        message: 'Subscription fetched successfully',
        data: subJson(ctx, subsCore.requireSubscription(ctx.db, project.id, r.params.subscriptionID)),
      }
    })
    .add('PUT', `${s}/:subscriptionID`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const checks = await checkFunctions(ctx.sandbox, r.body, ['function'])
      const updated = subsCore.updateSubscription(ctx.db, project.id, r.params.subscriptionID, r.body, checks)
      return {status: 202, message: 'Subscription updated successfully', data: subJson(ctx, updated)}
    })
    .add('DELETE', `${s}/:subscriptionID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      subsCore.deleteSubscription(ctx.db, project.id, r.params.subscriptionID)
      return {status: 200, message: 'Subscription deleted successfully'}
    })

  // --- sources
  const so = `${p}/:projectID/sources`
  router
    .add('GET', so, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const page = sourcesCore.listSources(ctx.db, project.id, pageQuery(r.query), {
        type: r.query.get('type') ?? undefined,
        provider: r.query.get('provider') ?? undefined,
      })
      return {
        status: 200,
        message: 'Sources fetched successfully',
        data: pageJson(page, (x) => sourceJson(x, ctx.baseUrl())),
      }
    })
    .add('POST', so, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const checks = await checkFunctions(ctx.sandbox, r.body, SOURCE_FUNCTIONS)
      return {
        status: 201,
        message: 'Source created successfully',
        data: sourceJson(sourcesCore.createSource(ctx.db, project.id, r.body, checks), ctx.baseUrl()),
      }
    })
    .add('GET', `${so}/:sourceID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      return {
        status: 200,
        message: 'Source fetched successfully',
        data: sourceJson(sourcesCore.requireSource(ctx.db, project.id, r.params.sourceID), ctx.baseUrl()),
      }
    })
    .add('PUT', `${so}/:sourceID`, async (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      const checks = await checkFunctions(ctx.sandbox, r.body, SOURCE_FUNCTIONS)
      const updated = sourcesCore.updateSource(ctx.db, project.id, r.params.sourceID, r.body, checks)
      return {status: 202, message: 'Source updated successfully', data: sourceJson(updated, ctx.baseUrl())}
    })
    .add('DELETE', `${so}/:sourceID`, (ctx, r) => {
      const project = projectOf(ctx, r as AuthedRequest)
      sourcesCore.deleteSource(ctx.db, project.id, r.params.sourceID)
      return {status: 200, message: 'Source deleted successfully'}
    })
}
