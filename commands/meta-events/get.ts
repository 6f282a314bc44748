import {makeGetCommand} from '../../src/cli/crud.js'

export default class Get extends makeGetCommand({collection: 'meta-events', noun: 'meta event'}) {}
