import {makeListCommand} from '../../src/cli/crud.js'

export default class List extends makeListCommand({
  kind: 'meta-events',
  collection: 'meta-events',
  summary: "List meta events: the notifications about delivery sent to the project's meta-event URL.",
  examples: ['<%= config.bin %> meta-events list', '<%= config.bin %> meta-events list --all --json'],
}) {}
