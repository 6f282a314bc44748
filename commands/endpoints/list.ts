import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'

export default class List extends makeListCommand({
  kind: 'endpoints',
  collection: 'endpoints',
  summary: 'List endpoints.',
  examples: ['<%= config.bin %> endpoints list', '<%= config.bin %> endpoints list --query billing --json'],
  filters: {
    query: Flags.string({char: 'q', description: 'Only endpoints whose name contains this text.'}),
    owner: Flags.string({description: 'Only endpoints with this owner ID.'}),
  },
  query: (f) => ({q: f.query as string | undefined, ownerId: f.owner as string | undefined}),
}) {}
