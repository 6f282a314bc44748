import {describe, expect, it} from 'vitest'

import {type RoutableEvent, matchesSubscription} from '../../src/routing/match.js'

const event: RoutableEvent = {
  type: 'invoice.paid',
  body: {amount: 1200, currency: 'usd', data: {customer: {id: 42}}},
  headers: {
    'Content-Type': ['application/json'],
    'X-Tenant': ['acme', 'globex'],
    'x-request-id': 'req_123',
  },
}

describe('matchesSubscription: event types', () => {
  it('matches with no event types and no filters', () => {
    expect(matchesSubscription({eventTypes: []}, event)).toBe(true)
  })

  it('requires the event type to match a pattern', () => {
    expect(matchesSubscription({eventTypes: ['invoice.*']}, event)).toBe(true)
    expect(matchesSubscription({eventTypes: ['*']}, event)).toBe(true)
    expect(matchesSubscription({eventTypes: ['user.created', 'invoice.paid']}, event)).toBe(true)
    expect(matchesSubscription({eventTypes: ['user.*']}, event)).toBe(false)
    expect(matchesSubscription({eventTypes: ['Invoice.paid']}, event)).toBe(false)
  })
})

describe('matchesSubscription: body filter', () => {
  it('requires the body filter to match', () => {
    expect(matchesSubscription({eventTypes: ['*'], bodyFilter: {amount: {$gt: 1000}}}, event)).toBe(true)
    expect(matchesSubscription({eventTypes: ['*'], bodyFilter: {amount: {$gt: 5000}}}, event)).toBe(false)
    expect(matchesSubscription({eventTypes: ['*'], bodyFilter: {'data.customer.id': 42}}, event)).toBe(true)
  })

  it('treats null, undefined and {} body filters as match-all', () => {
    for (const bodyFilter of [null, undefined, {}]) {
      expect(matchesSubscription({eventTypes: ['*'], bodyFilter}, event)).toBe(true)
    }
  })

  it('keeps body field names case-sensitive', () => {
    expect(matchesSubscription({eventTypes: ['*'], bodyFilter: {Amount: 1200}}, event)).toBe(false)
  })

  it('copes with a body that is not an object', () => {
    const textEvent = {...event, body: 'plain text'}
    expect(matchesSubscription({eventTypes: ['*'], bodyFilter: {amount: 1}}, textEvent)).toBe(false)
    expect(matchesSubscription({eventTypes: ['*'], bodyFilter: {amount: {$exist: false}}}, textEvent)).toBe(true)
    expect(matchesSubscription({eventTypes: ['*'], bodyFilter: {amount: 1}}, {...event, body: undefined})).toBe(false)
  })
})

describe('matchesSubscription: header filter', () => {
  const withHeaders = (headerFilter: unknown) => matchesSubscription({eventTypes: ['*'], headerFilter}, event)

  it('matches header names case-insensitively on both sides', () => {
    expect(withHeaders({'content-type': 'application/json'})).toBe(true)
    expect(withHeaders({'CONTENT-TYPE': 'application/json'})).toBe(true)
    expect(withHeaders({'X-Request-Id': 'req_123'})).toBe(true)
    expect(withHeaders({'x-tenant': 'acme'})).toBe(true)
  })

  it('keeps header values case-sensitive', () => {
    expect(withHeaders({'content-type': 'Application/JSON'})).toBe(false)
  })

  it('matches a scalar against each value of a multi-valued header', () => {
    expect(withHeaders({'x-tenant': 'globex'})).toBe(true)
    expect(withHeaders({'x-tenant': 'initech'})).toBe(false)
  })

  it('treats a single string header like a one-element list', () => {
    expect(withHeaders({'x-request-id': 'req_123'})).toBe(true)
    expect(withHeaders({'x-request-id': ['req_123']})).toBe(true)
    expect(withHeaders({'x-request-id': 'req_124'})).toBe(false)
  })

  it('supports operators on header values', () => {
    expect(withHeaders({'x-tenant': {$in: ['initech', 'globex']}})).toBe(true)
    expect(withHeaders({'x-tenant': {$nin: ['initech']}})).toBe(true)
    expect(withHeaders({'x-tenant': {$nin: ['acme']}})).toBe(false)
    expect(withHeaders({'x-tenant': {$neq: 'acme'}})).toBe(false)
    expect(withHeaders({'Content-Type': {$regex: '^application/'}})).toBe(true)
    expect(withHeaders({'X-Signature': {$exist: false}})).toBe(true)
    expect(withHeaders({'X-Tenant': {$exist: true}})).toBe(true)
    expect(withHeaders({'x-tenant': ['acme', 'globex']})).toBe(true)
  })

  it('compares header values as strings', () => {
    const numbered = {...event, headers: {'X-Attempt': '3'}}
    expect(matchesSubscription({eventTypes: ['*'], headerFilter: {'x-attempt': '3'}}, numbered)).toBe(true)
    expect(matchesSubscription({eventTypes: ['*'], headerFilter: {'x-attempt': 3}}, numbered)).toBe(false)
  })

  it('lowercases header names inside $or and $and', () => {
    expect(withHeaders({$or: [{'X-Tenant': 'initech'}, {'CONTENT-TYPE': 'application/json'}]})).toBe(true)
    expect(withHeaders({$and: [{'X-Tenant': 'acme'}, {$or: [{'X-REQUEST-ID': 'req_123'}]}]})).toBe(true)
    expect(withHeaders({$and: [{'X-Tenant': 'acme'}, {$or: [{'X-REQUEST-ID': 'nope'}]}]})).toBe(false)
  })

  it('applies both conditions when two filter keys differ only in case', () => {
    expect(withHeaders({'X-Tenant': 'acme', 'x-tenant': 'globex'})).toBe(true)
    expect(withHeaders({'X-Tenant': 'acme', 'x-tenant': 'initech'})).toBe(false)
  })

  it('merges the values of headers whose names differ only in case', () => {
    const split = {...event, headers: {'X-Tenant': 'acme', 'x-tenant': ['globex']}}
    expect(matchesSubscription({eventTypes: ['*'], headerFilter: {'X-TENANT': 'globex'}}, split)).toBe(true)
    expect(matchesSubscription({eventTypes: ['*'], headerFilter: {'X-TENANT': 'acme'}}, split)).toBe(true)
  })

  it('treats null, undefined and {} header filters as match-all', () => {
    expect(withHeaders(null)).toBe(true)
    expect(withHeaders(undefined)).toBe(true)
    expect(withHeaders({})).toBe(true)
  })

  it('handles a header named __proto__ as an ordinary header', () => {
    const odd = {...event, headers: JSON.parse('{"__proto__": "x"}') as RoutableEvent['headers']}
    expect(matchesSubscription({eventTypes: ['*'], headerFilter: JSON.parse('{"__PROTO__": "x"}')}, odd)).toBe(true)
    expect(matchesSubscription({eventTypes: ['*'], headerFilter: {constructor: {$exist: true}}}, odd)).toBe(false)
  })

  it('fails closed on a malformed header filter', () => {
    expect(withHeaders('content-type')).toBe(false)
    expect(withHeaders({'x-tenant': {$foo: 1}})).toBe(false)
  })
})

describe('matchesSubscription: everything together', () => {
  const sub = {
    eventTypes: ['invoice.*'],
    bodyFilter: {currency: 'usd', amount: {$gte: 1000}},
    headerFilter: {'X-Tenant': 'acme'},
  }

  it('matches only when event type, body and headers all match', () => {
    expect(matchesSubscription(sub, event)).toBe(true)
    expect(matchesSubscription(sub, {...event, type: 'user.created'})).toBe(false)
    expect(matchesSubscription(sub, {...event, body: {currency: 'eur', amount: 1200}})).toBe(false)
    expect(matchesSubscription(sub, {...event, headers: {'x-tenant': 'initech'}})).toBe(false)
    expect(matchesSubscription(sub, {...event, headers: {}})).toBe(false)
  })

  it('does not apply the body filter to headers or the other way round', () => {
    expect(matchesSubscription({eventTypes: [], bodyFilter: {'x-tenant': 'acme'}}, event)).toBe(false)
    expect(matchesSubscription({eventTypes: [], headerFilter: {currency: 'usd'}}, event)).toBe(false)
  })
})
