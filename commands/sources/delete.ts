import {makeDeleteCommand} from '../../src/cli/crud.js'

export default class Delete extends makeDeleteCommand({collection: 'sources', noun: 'source'}) {}
