import {makeGetCommand} from '../../src/cli/crud.js'

export default class Get extends makeGetCommand({collection: 'portal-links', noun: 'portal link'}) {}
