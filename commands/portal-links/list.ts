import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'

export default class List extends makeListCommand({
  kind: 'portal-links',
  collection: 'portal-links',
  summary: 'List portal links.',
  examples: ['<%= config.bin %> portal-links list --owner acme'],
  filters: {
    owner: Flags.string({description: 'Only links for this owner ID.'}),
    query: Flags.string({char: 'q', description: 'Only links whose name contains this text.'}),
  },
  query: (f) => ({ownerId: f.owner as string | undefined, q: f.query as string | undefined}),
}) {}
