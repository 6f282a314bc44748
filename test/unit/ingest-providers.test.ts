import {describe, expect, it} from 'vitest'

import {CaravanError} from '../../src/errors.js'
import {
  type ExtractRequest,
  extractAt,
  extractFirst,
  formatLocation,
  isProviderName,
  type Location,
  parseLocation,
  PROVIDERS,
} from '../../src/ingest/providers.js'

const request = (over: Partial<ExtractRequest> = {}): ExtractRequest => ({
  headers: {},
  body: Buffer.alloc(0),
  query: new URLSearchParams(),
  ...over,
})

describe('parseLocation', () => {
  it('parses header, body and query locations', () => {
    expect(parseLocation('header.X-GitHub-Event')).toEqual({in: 'header', path: 'X-GitHub-Event'})
    expect(parseLocation('body.data.type')).toEqual({in: 'body', path: 'data.type'})
    expect(parseLocation('query.type')).toEqual({in: 'query', path: 'type'})
    expect(parseLocation('  body.id ')).toEqual({in: 'body', path: 'id'})
  })

  it("accepts Convoy's request.-prefixed spelling", () => {
    expect(parseLocation('request.header.X-Delivery')).toEqual({in: 'header', path: 'X-Delivery'})
    expect(parseLocation('request.body.event.id')).toEqual({in: 'body', path: 'event.id'})
  })

  it('round-trips through formatLocation', () => {
    for (const text of ['header.X-Shopify-Topic', 'body.data.object.id', 'query.event']) {
      expect(formatLocation(parseLocation(text))).toBe(text)
    }
  })

  it.each([
    ['cookie.session', 'invalid location "cookie.session": unknown part "cookie"'],
    ['X-GitHub-Event', 'invalid location "X-GitHub-Event": unknown part "X-GitHub-Event"'],
    ['', 'invalid location "": unknown part ""'],
    ['header', 'invalid location "header": no name after "header."'],
    ['body.', 'invalid location "body.": no path after "body."'],
    ['body.data..type', 'invalid location "body.data..type": empty segment in body path'],
    ['header.X Event', 'invalid location "header.X Event": "X Event" is not a header name'],
  ])('rejects %j with a clear message', (text, message) => {
    let error: unknown
    try {
      parseLocation(text)
    } catch (error_) {
      error = error_
    }
    expect(error).toBeInstanceOf(CaravanError)
    expect((error as CaravanError).code).toBe('CARAVAN_ERR_CONFIG')
    expect((error as Error).message.startsWith(message)).toBe(true)
  })

  it('says what a valid location looks like', () => {
    expect(() => parseLocation('headers.X')).toThrow(/expected header\.<name>, body\.<path> or query\.<name>/)
  })
})

describe('extractAt', () => {
  const json = Buffer.from(
    JSON.stringify({
      id: 'evt_123',
      type: 'invoice.paid',
      amount: 1500,
      live: false,
      empty: '',
      nothing: null,
      data: {object: {id: 'in_9', lines: [{id: 'il_1'}, {id: 'il_2'}]}},
    }),
  )
  const at = (text: string, req: ExtractRequest) => extractAt(parseLocation(text), req)

  it('reads JSON body paths, including array indexes', () => {
    const req = request({body: json, contentType: 'application/json; charset=utf-8'})
    expect(at('body.type', req)).toBe('invoice.paid')
    expect(at('body.data.object.id', req)).toBe('in_9')
    expect(at('body.data.object.lines.1.id', req)).toBe('il_2')
    expect(at('body.amount', req)).toBe('1500')
    expect(at('body.live', req)).toBe('false')
    expect(at('body.data.object.lines.0', req)).toBe('{"id":"il_1"}')
  })

  it('treats missing, null and empty values as absent', () => {
    const req = request({body: json})
    for (const path of ['body.missing', 'body.nothing', 'body.empty', 'body.data.object.lines.5', 'body.type.x']) {
      expect(at(path, req)).toBeUndefined()
    }
    expect(at('body.data.object.lines.first', req)).toBeUndefined()
    expect(at('body.toString', req)).toBeUndefined()
  })

  it('reads form-encoded bodies by key', () => {
    const body = Buffer.from('type=order.paid&id=ord_7&data.type=nested.key')
    const req = request({body, contentType: 'application/x-www-form-urlencoded'})
    expect(at('body.type', req)).toBe('order.paid')
    expect(at('body.id', req)).toBe('ord_7')
    expect(at('body.data.type', req)).toBe('nested.key')
    expect(at('body.missing', req)).toBeUndefined()
  })

  it('reaches into JSON carried in a form field, as GitHub sends with the form content type', () => {
    const payload = JSON.stringify({action: 'opened', pull_request: {number: 42}})
    const body = Buffer.from(new URLSearchParams({payload}).toString())
    const req = request({body, contentType: 'application/x-www-form-urlencoded'})
    expect(at('body.payload.action', req)).toBe('opened')
    expect(at('body.payload.pull_request.number', req)).toBe('42')
  })

  it('falls back to form parsing when no content type is given', () => {
    expect(at('body.type', request({body: Buffer.from('type=ping')}))).toBe('ping')
  })

  it('returns undefined for unparseable bodies instead of throwing', () => {
    const xml = Buffer.from('<event><type>ping</type></event>')
    expect(at('body.type', request({body: xml, contentType: 'application/xml'}))).toBeUndefined()
    expect(at('body.type', request({body: Buffer.from('{"type": '), contentType: 'application/json'}))).toBeUndefined()
    expect(at('body.type', request({body: Buffer.from([0xff, 0x00, 0xfe])}))).toBeUndefined()
    expect(at('body.type', request())).toBeUndefined()
  })

  it('reads headers case-insensitively, joining repeated values', () => {
    const req = request({headers: {'x-github-event': 'push', 'x-tags': ['a', 'b'], 'x-empty': ''}})
    expect(at('header.X-GitHub-Event', req)).toBe('push')
    expect(at('header.x-tags', req)).toBe('a, b')
    expect(at('header.X-Empty', req)).toBeUndefined()
    expect(at('header.X-Missing', req)).toBeUndefined()
    expect(extractAt({in: 'header', path: 'x-github-event'}, request({headers: {'X-GitHub-Event': 'ping'}}))).toBe(
      'ping',
    )
  })

  it('reads query parameters', () => {
    const req = request({query: new URLSearchParams('type=charge.failed&type=second&id=')})
    expect(at('query.type', req)).toBe('charge.failed')
    expect(at('query.id', req)).toBeUndefined()
    expect(at('query.missing', req)).toBeUndefined()
  })
})

describe('extractFirst', () => {
  it('returns the first location that has a value', () => {
    const locations: Location[] = [
      {in: 'header', path: 'webhook-id'},
      {in: 'header', path: 'svix-id'},
      {in: 'body', path: 'id'},
    ]
    expect(extractFirst(locations, request({headers: {'svix-id': 'msg_svix'}}))).toBe('msg_svix')
    expect(extractFirst(locations, request({headers: {'webhook-id': 'msg_1', 'svix-id': 'msg_2'}}))).toBe('msg_1')
    expect(extractFirst(locations, request({body: Buffer.from('{"id":"from-body"}')}))).toBe('from-body')
    expect(extractFirst(locations, request())).toBeUndefined()
  })
})

describe('PROVIDERS', () => {
  const at = (location: Location, req: ExtractRequest) => extractAt(location, req)

  it('finds GitHub event type and delivery in headers', () => {
    const req = request({headers: {'x-github-event': 'push', 'x-github-delivery': 'd3b0-1'}, body: Buffer.from('{}')})
    expect(at(PROVIDERS.github.eventType, req)).toBe('push')
    expect(extractFirst(PROVIDERS.github.idempotencyKey, req)).toBe('d3b0-1')
    expect(PROVIDERS.github.verifier('s')).toEqual({type: 'github', secret: 's'})
  })

  it('finds Stripe event type and id in the body', () => {
    const req = request({body: Buffer.from('{"id":"evt_1","object":"event","type":"charge.failed"}')})
    expect(at(PROVIDERS.stripe.eventType, req)).toBe('charge.failed')
    expect(extractFirst(PROVIDERS.stripe.idempotencyKey, req)).toBe('evt_1')
    expect(PROVIDERS.stripe.verifier('whsec_x', 600)).toMatchObject({
      type: 'stripe',
      secret: 'whsec_x',
      toleranceSeconds: 600,
    })
  })

  it('finds Shopify topic and webhook id in headers', () => {
    const req = request({headers: {'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'b54557e4'}})
    expect(at(PROVIDERS.shopify.eventType, req)).toBe('orders/create')
    expect(extractFirst(PROVIDERS.shopify.idempotencyKey, req)).toBe('b54557e4')
  })

  it('finds Standard Webhooks type in the body and id in webhook-id or svix-id', () => {
    const preset = PROVIDERS['standard-webhooks']
    const body = Buffer.from('{"type":"user.created","data":{}}')
    expect(at(preset.eventType, request({body}))).toBe('user.created')
    expect(extractFirst(preset.idempotencyKey, request({headers: {'webhook-id': 'msg_a'}}))).toBe('msg_a')
    expect(extractFirst(preset.idempotencyKey, request({headers: {'svix-id': 'msg_b'}}))).toBe('msg_b')
    expect(preset.verifier('whsec_abc').type).toBe('standard-webhooks')
  })

  it('recognises provider names', () => {
    expect(['github', 'stripe', 'shopify', 'standard-webhooks'].every((name) => isProviderName(name))).toBe(true)
    expect(isProviderName('svix-ish')).toBe(false)
    expect(isProviderName('toString')).toBe(false)
  })
})
