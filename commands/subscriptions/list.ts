import {Flags} from '@oclif/core'

import {makeListCommand} from '../../src/cli/crud.js'

export default class List extends makeListCommand({
  kind: 'subscriptions',
  collection: 'subscriptions',
  summary: 'List subscriptions.',
  filters: {endpoint: Flags.string({description: 'Only subscriptions of this endpoint ID.'})},
  query: (f) => ({endpointId: f.endpoint as string | undefined}),
}) {}
