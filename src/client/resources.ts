import type {GatewayClient, Paged, Query} from './gateway-client.js'

/** A resource as the gateway returns it (Convoy's JSON). */
export type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** The CRUD calls every project resource shares. */
export class ProjectResource {
  constructor(
    private readonly client: GatewayClient,
    private readonly projectId: string,
    readonly name: string,
  ) {}

  path(rest = ''): string {
    return `/api/v1/projects/${encodeURIComponent(this.projectId)}/${this.name}${rest ? '/' + rest : ''}`
  }

  list(query: Query = {}): Promise<Paged<Json>> {
    return this.client.data<Paged<Json>>('GET', this.path(), {query})
  }

  get(id: string): Promise<Json> {
    return this.client.data<Json>('GET', this.path(encodeURIComponent(id)))
  }

  create(body: Json, rest = ''): Promise<Json> {
    return this.client.data<Json>('POST', this.path(rest), {body})
  }

  update(id: string, body: Json): Promise<Json> {
    return this.client.data<Json>('PUT', this.path(encodeURIComponent(id)), {body})
  }

  async remove(id: string): Promise<void> {
    await this.client.call('DELETE', this.path(encodeURIComponent(id)))
  }

  /** `pause`, `activate`, `resend`...: Convoy documents no body for these, so none is sent unless given. */
  action(method: 'PUT' | 'POST', id: string, verb: string, body?: Json): Promise<Json> {
    return this.client.data<Json>(method, this.path(`${encodeURIComponent(id)}/${verb}`), {body})
  }
}

/** List every page, following cursors (for `--all`). */
export async function listAll(resource: ProjectResource, query: Query, limit = Infinity): Promise<Json[]> {
  const out: Json[] = []
  let cursor: string | undefined
  do {
    const page = await resource.list({...query, next_page_cursor: cursor})
    out.push(...page.content)
    cursor = page.pagination?.has_next_page ? page.pagination.next_page_cursor : undefined
  } while (cursor && out.length < limit)
  return out.slice(0, limit)
}
