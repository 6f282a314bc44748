import {Args, Errors, Flags, type Interfaces} from '@oclif/core'

import type {GatewayClient, Query} from '../client/gateway-client.js'
import {listAll, ProjectResource} from '../client/resources.js'
import {GatewayCommand} from './base-command.js'
import {COLUMNS, renderList, renderResource} from './render.js'

type FlagMap = Interfaces.FlagInput
type Kind = keyof typeof COLUMNS

export interface ListSpec {
  kind: Kind
  /** The API collection path under the project, e.g. `eventdeliveries`. */
  collection: string
  summary: string
  description?: string
  examples?: string[]
  filters?: FlagMap
  /** Map parsed filter flags to query parameters (may look things up, e.g. a source by name). */
  query?: (flags: Record<string, unknown>, ctx: {client: GatewayClient; projectId: string}) => Query | Promise<Query>
}

/** `caravan <topic> list`: one page (or --all), newest first, with cursors. */
export function makeListCommand(spec: ListSpec) {
  return class List extends GatewayCommand {
    static summary = spec.summary
    static description = spec.description
    static examples = spec.examples ?? []
    static flags = {
      ...spec.filters,
      'per-page': Flags.integer({description: 'Items per page.', default: 20, min: 1, max: 1000}),
      cursor: Flags.string({description: 'Continue from a next_page_cursor printed by an earlier page.'}),
      all: Flags.boolean({description: 'Follow cursors and list every page.', default: false}),
      sort: Flags.string({description: 'Order by creation time.', options: ['ASC', 'DESC'], default: 'DESC'}),
    }

    async run(): Promise<void> {
      const {flags} = await this.parse(List)
      const client = this.client(flags)
      const projectId = this.projectId(flags)
      const resource = new ProjectResource(client, projectId, spec.collection)
      const filters = await spec.query?.(flags as Record<string, unknown>, {client, projectId})
      const query: Query = {...filters, perPage: flags['per-page'], sort: flags.sort}
      if (flags.all) {
        const rows = await listAll(resource, query)
        this.output(flags.json, rows, () => renderList(spec.kind, rows, this.color))
        return
      }
      const page = await resource.list({...query, next_page_cursor: flags.cursor})
      const next = page.pagination?.has_next_page ? page.pagination.next_page_cursor : ''
      this.output(flags.json, page, () =>
        renderList(spec.kind, page.content, this.color, next ? `More: --cursor ${next} (or --all)` : undefined),
      )
    }
  }
}

/** `caravan <topic> get <id>` */
export function makeGetCommand(spec: {collection: string; noun: string}) {
  return class Get extends GatewayCommand {
    static summary = `Show one ${spec.noun}.`
    static args = {id: Args.string({description: `${spec.noun} ID`, required: true})}

    async run(): Promise<void> {
      const {args, flags} = await this.parse(Get)
      const resource = new ProjectResource(this.client(flags), this.projectId(flags), spec.collection)
      const item = await resource.get(args.id)
      this.output(flags.json, item, () => renderResource(item, this.color))
    }
  }
}

/** `caravan <topic> delete <id>` */
export function makeDeleteCommand(spec: {collection: string; noun: string}) {
  return class Delete extends GatewayCommand {
    static summary = `Delete ${/^[aeiou]/i.test(spec.noun) ? 'an' : 'a'} ${spec.noun}.`
    static args = {id: Args.string({description: `${spec.noun} ID`, required: true})}

    async run(): Promise<void> {
      const {args, flags} = await this.parse(Delete)
      await new ProjectResource(this.client(flags), this.projectId(flags), spec.collection).remove(args.id)
      this.output(flags.json, {deleted: args.id}, () => `Deleted ${spec.noun} ${args.id}`)
    }
  }
}

/** Parse `--header 'Name: value'` style pairs; `sep` is ':' for headers, '=' for filters. */
export function parsePairs(values: string[] | undefined, sep: string, what: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of values ?? []) {
    const at = raw.indexOf(sep)
    if (at <= 0) throw new Errors.CLIError(`${what} must look like name${sep}value (got "${raw}")`, {exit: 2})
    out[raw.slice(0, at).trim()] = raw.slice(at + 1).trim()
  }
  return out
}
