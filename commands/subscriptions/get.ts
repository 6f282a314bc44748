import {makeGetCommand} from '../../src/cli/crud.js'

export default class Get extends makeGetCommand({collection: 'subscriptions', noun: 'subscription'}) {}
