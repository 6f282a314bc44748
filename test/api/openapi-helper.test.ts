import {describe, expect, it} from 'vitest'

import {specPathFor, toJsonSchema, validateRequest, validateResponse} from '../helpers/openapi.js'
import {waive} from '../helpers/relay.js'

// The contract checks are only worth something if they can fail: these pin the helper down.
describe('the OpenAPI contract helper', () => {
  it('converts nullable, drops annotations and rewrites component refs', () => {
    expect(toJsonSchema({type: 'string', nullable: true, example: 'x', 'x-go-name': 'X', description: 'd'})).toEqual({
      type: ['string', 'null'],
    })
    expect(toJsonSchema({type: 'string', enum: ['a', ''], nullable: true})).toEqual({
      type: ['string', 'null'],
      enum: ['a', '', null],
    })
    expect(toJsonSchema({allOf: [{$ref: '#/components/schemas/handlers.Stub'}], nullable: true})).toEqual({
      anyOf: [{type: 'null'}, {allOf: [{$ref: expect.stringMatching(/#\/definitions\/handlers\.Stub$/)}]}],
    })
    // A property called "description" is data, not an annotation.
    expect(toJsonSchema({properties: {description: {type: 'string'}}})).toEqual({
      properties: {description: {type: 'string'}},
    })
  })

  it('maps request paths to spec templates, literal segments first', () => {
    expect(specPathFor('/api/v1/projects')).toBe('/v1/projects')
    expect(specPathFor('/api/v1/projects/01H/events/fanout')).toBe('/v1/projects/{projectID}/events/fanout')
    expect(specPathFor('/api/v1/projects/01H/events/01J?x=1')).toBe('/v1/projects/{projectID}/events/{eventID}')
    expect(specPathFor('/api/v1/projects/01H/eventdeliveries/01J/deliveryattempts')).toBe(
      '/v1/projects/{projectID}/eventdeliveries/{eventDeliveryID}/deliveryattempts',
    )
    expect(specPathFor('/healthz')).toBeUndefined()
  })

  it('reports wrong types, bad enum values and undocumented statuses', () => {
    const path = '/v1/projects/{projectID}/endpoints/{endpointID}'
    expect(
      validateResponse('GET', path, 200, {status: true, message: 'ok', data: {uid: 'x', status: 'active'}}),
    ).toEqual([])
    expect(validateResponse('GET', path, 200, {status: 'yes', message: 'ok', data: {uid: 5}})).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\/status must be boolean/),
        expect.stringMatching(/^\/data\/uid must be string/),
      ]),
    )
    expect(validateResponse('GET', path, 200, {status: true, message: 'ok', data: {status: 'sleeping'}})).toEqual([
      expect.stringMatching(/^\/data\/status must be equal to one of the allowed values/),
    ])
    // Error envelopes may carry data: null.
    expect(validateResponse('GET', path, 404, {status: false, message: 'not found', data: null})).toEqual([])
    expect(validateResponse('GET', path, 418, {})).toEqual([expect.stringMatching(/documents no 418 response/)])
    expect(validateResponse('GET', '/v1/nope', 200, {})).toEqual([expect.stringMatching(/not in the spec/)])
  })

  it('checks request bodies, nested refs included', () => {
    const path = '/v1/projects/{projectID}/endpoints'
    expect(validateRequest('POST', path, {name: 'a', url: 'https://x'})).toEqual([])
    expect(validateRequest('POST', path, {name: 1, http_timeout: 'slow'})).toHaveLength(2)
    expect(validateRequest('POST', path, {authentication: {type: 'kerberos'}})).toEqual([
      expect.stringMatching(/^\/authentication\/type must be equal to one of the allowed values/),
    ])
    expect(
      validateRequest('POST', '/v1/projects/{projectID}/sources', {verifier: {type: 'hmac', hmac: {header: 'X'}}}),
    ).toEqual(expect.arrayContaining([expect.stringMatching(/must have required property 'secret'/)]))
    expect(validateRequest('PUT', '/v1/projects/{projectID}/endpoints/{endpointID}/pause', {x: 1})).toEqual([
      expect.stringMatching(/takes no request body/),
    ])
  })

  it('waives only the named extension, with the echoes it leaves on nullable parents', () => {
    const path = '/v1/projects/{projectID}'
    const body = (header: string, duration: unknown) => ({
      status: true,
      message: 'ok',
      data: {config: {signature: {header}, strategy: {duration}}},
    })
    const headerWaiver = [/^\/data\/config\/signature\/header must be equal to one of the allowed values/]
    const custom = validateResponse('GET', path, 200, body('X-Acme', 5))
    expect(custom).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/data\/config must match a schema in anyOf/)]),
    )
    expect(waive(custom, headerWaiver)).toEqual([])
    // A real error next to a waived one still counts.
    const both = waive(validateResponse('GET', path, 200, body('X-Acme', 'slow')), headerWaiver)
    expect(both).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/data\/config\/strategy\/duration must be integer/)]),
    )
    expect(both.some((e) => e.includes('/signature/header'))).toBe(false)
  })
})
