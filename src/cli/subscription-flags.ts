import {Errors, Flags} from '@oclif/core'

import type {Json} from '../client/resources.js'

export const subscriptionFlags = {
  'event-types': Flags.string({description: "Comma-separated event types; '*' wildcards (default all)."}),
  'filter-body': Flags.string({
    description: 'Body filter as JSON, in Convoy syntax ($eq $neq $gt $gte $lt $lte $in $nin $exist $regex $or $and).',
  }),
  'filter-headers': Flags.string({description: 'Header filter as JSON, same syntax.'}),
  source: Flags.string({description: 'Only events from this source ID.'}),
}

export function parseJsonFlag(value: string, flag: string): Json {
  try {
    const parsed = JSON.parse(value) as unknown
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Json
  } catch {
    // fall through to the usage error
  }
  throw new Errors.CLIError(`${flag} must be a JSON object, e.g. '{"amount":{"$gte":1000}}' (got ${value})`, {exit: 2})
}

/** Build Convoy's subscription body; `current` keeps filter parts the flags leave alone on update. */
export function subscriptionBody(flags: Record<string, unknown>, current?: Json): Json {
  const body: Json = {name: flags.name, endpoint_id: flags.endpoint, source_id: flags.source}
  const types = flags['event-types'] as string | undefined
  const filterBody = flags['filter-body'] as string | undefined
  const filterHeaders = flags['filter-headers'] as string | undefined
  if (types !== undefined || filterBody !== undefined || filterHeaders !== undefined) {
    body.filter_config = {
      event_types:
        types !== undefined
          ? types
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean)
          : (current?.event_types ?? ['*']),
      filter: {
        body: filterBody !== undefined ? parseJsonFlag(filterBody, '--filter-body') : (current?.filter?.body ?? {}),
        headers:
          filterHeaders !== undefined
            ? parseJsonFlag(filterHeaders, '--filter-headers')
            : (current?.filter?.headers ?? {}),
      },
    }
  }
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
}
