import type {GatewayClient} from './gateway-client.js'

export interface FilterTestInput {
  projectId: string
  /** The sample request: body, and optionally headers and query parameters. */
  data: unknown
  headers?: Record<string, unknown>
  query?: Record<string, unknown>
  /** The filters, in Convoy's syntax. */
  filter: {body?: Record<string, unknown>; headers?: Record<string, unknown>; query?: Record<string, unknown>}
}

/** Ask the gateway whether a sample matches a filter (Convoy's `subscriptions/test_filter`). */
export async function testSubscriptionFilter(client: GatewayClient, input: FilterTestInput): Promise<boolean> {
  const path = `/api/v1/projects/${encodeURIComponent(input.projectId)}/subscriptions/test_filter`
  return client.data<boolean>('POST', path, {
    body: {
      request: {body: input.data, header: input.headers ?? {}, query: input.query ?? {}},
      schema: {body: input.filter.body ?? {}, header: input.filter.headers ?? {}, query: input.filter.query ?? {}},
    },
  })
}

/** Run a transformation function on a sample payload on the gateway (Convoy's `subscriptions/test_function`). */
export async function testSubscriptionFunction(
  client: GatewayClient,
  input: {projectId: string; payload: unknown; function: string},
): Promise<{payload: unknown; log: string[]}> {
  const path = `/api/v1/projects/${encodeURIComponent(input.projectId)}/subscriptions/test_function`
  return client.data('POST', path, {body: {payload: input.payload, function: input.function}})
}
