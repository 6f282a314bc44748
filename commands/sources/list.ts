import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'

export default class List extends makeListCommand({
  kind: 'sources',
  collection: 'sources',
  summary: 'List inbound sources and their ingest URLs.',
  filters: {provider: Flags.string({description: 'Only sources of this provider (github, stripe, ...).'})},
  query: (f) => ({provider: f.provider as string | undefined}),
}) {}
