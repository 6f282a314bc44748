import {Svix} from 'svix'
import {describe, expect, it} from 'vitest'

import {createEndpoint, subscribedEndpoint} from '../helpers/fixtures.js'
import {type TestRelay, useRelay} from '../helpers/relay.js'

// Convoy's event types (issue 14): every call goes through the test relay's `api`, which checks
// request and response against Convoy's OpenAPI spec with ajv. The table is shared with the Svix
// API, so both views are exercised on the same rows.

const INVOICE_SCHEMA = {
  type: 'object',
  properties: {
    id: {type: 'string'},
    amount: {type: 'integer', minimum: 0},
    lines: {type: 'array', items: {type: 'object', properties: {sku: {type: 'string'}}, required: ['sku']}},
  },
  required: ['id', 'amount'],
}

async function createType(t: TestRelay, body: Record<string, unknown>) {
  const res = await t.api('POST', t.p('/event-types'), body)
  expect(res.status, JSON.stringify(res.json)).toBe(201)
  return res.json.data
}

async function listTypes(t: TestRelay) {
  const res = await t.api('GET', t.p('/event-types'))
  expect(res.status).toBe(200)
  return res.json.data as {uid: string; name: string; json_schema: unknown; deprecated_at: string | null}[]
}

async function enableValidation(t: TestRelay, on = true) {
  const res = await t.api('PUT', t.p(), {name: 'default', config: {validate_event_schemas: on}})
  expect(res.status, JSON.stringify(res.json)).toBe(202)
  expect(res.json.data.config.validate_event_schemas).toBe(on)
}

async function eventCount(t: TestRelay): Promise<number> {
  const res = await t.api('GET', t.p('/events?perPage=100'))
  return res.json.data.content.length
}

describe('Convoy event types', () => {
  it('creates, lists, updates (by uid or name) and deprecates', async () => {
    const t = await useRelay()
    const created = await createType(t, {
      name: 'invoice.paid',
      category: 'billing',
      description: 'An invoice was paid',
      json_schema: INVOICE_SCHEMA,
    })
    expect(created).toMatchObject({
      uid: expect.any(String),
      name: 'invoice.paid',
      category: 'billing',
      description: 'An invoice was paid',
      json_schema: INVOICE_SCHEMA,
      deprecated_at: null,
    })
    await createType(t, {name: 'invoice.voided'})
    expect((await listTypes(t)).map((e) => e.name)).toEqual(['invoice.paid', 'invoice.voided'])

    const byUid = await t.api('PUT', t.p(`/event-types/${created.uid}`), {description: 'Paid in full'})
    expect(byUid.status).toBe(201)
    expect(byUid.json.data).toMatchObject({
      description: 'Paid in full',
      category: 'billing',
      json_schema: INVOICE_SCHEMA,
    })
    const byName = await t.api('PUT', t.p('/event-types/invoice.paid'), {json_schema: {type: 'object'}})
    expect(byName.json.data).toMatchObject({
      uid: created.uid,
      description: 'Paid in full',
      json_schema: {type: 'object'},
    })

    const deprecated = await t.api('POST', t.p(`/event-types/${created.uid}/deprecate`))
    expect(deprecated.status).toBe(201)
    expect(deprecated.json.data.deprecated_at).toEqual(expect.any(String))
    const again = await t.api('POST', t.p('/event-types/invoice.paid/deprecate'))
    expect(again.json.data.deprecated_at).toBe(deprecated.json.data.deprecated_at)
    expect((await listTypes(t)).find((e) => e.name === 'invoice.paid')?.deprecated_at).toBe(
      deprecated.json.data.deprecated_at,
    )
  })

  it('refuses bad input with a 400 naming the field, and stores nothing', async () => {
    const t = await useRelay()
    await createType(t, {name: 'invoice.paid', description: 'first'})
    const cases: [unknown, RegExp][] = [
      [{description: 'no name'}, /name is required/],
      [{name: 'invoice.paid'}, /event type invoice.paid already exists/],
      [{name: 'has space'}, /name must have no spaces or slashes/],
      [{name: 'a.b', json_schema: {type: 'nope'}}, /json_schema is not a valid JSON Schema/],
      [{name: 'a.b', json_schema: 'object'}, /json_schema must be an object/],
      [{name: 'a.b', category: 7}, /category must be a string/],
    ]
    for (const [body, message] of cases) {
      const res = await t.api('POST', t.p('/event-types'), body, {offSpec: true})
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.json.message).toMatch(message)
    }
    const update = await t.api('PUT', t.p('/event-types/invoice.paid'), {json_schema: {required: 'id'}})
    expect(update.status).toBe(400)
    expect(update.json.message).toMatch(/^json_schema is not a valid JSON Schema/)
    const missing = await t.api('PUT', t.p('/event-types/nope'), {description: 'x'})
    expect(missing.status).toBe(404)
    expect(missing.json.message).toBe('event type nope not found')
    expect((await t.api('POST', t.p('/event-types/nope/deprecate'))).status).toBe(404)
    const list = await listTypes(t)
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({name: 'invoice.paid', json_schema: null})
  })

  it('shares one table with the Svix API, both ways', async () => {
    const t = await useRelay()
    const svix = new Svix(t.key, {serverUrl: t.url})
    await svix.eventType.create({name: 'user.created', description: 'from svix', schemas: {'1': INVOICE_SCHEMA}})
    const convoyMade = await createType(t, {name: 'user.deleted', category: 'users', json_schema: {type: 'object'}})

    const seen = await listTypes(t)
    expect(seen.find((e) => e.name === 'user.created')).toMatchObject({
      description: 'from svix',
      json_schema: INVOICE_SCHEMA,
    })
    const fromSvix = await svix.eventType.get('user.deleted')
    expect(fromSvix.schemas).toEqual({'1': {type: 'object'}})
    expect(fromSvix.deprecated).toBe(false)

    await t.api('POST', t.p(`/event-types/${convoyMade.uid}/deprecate`))
    expect((await svix.eventType.get('user.deleted')).deprecated).toBe(true)
    // A Convoy update of json_schema keeps Svix's other schema versions.
    await svix.eventType.update('user.created', {description: 'from svix', schemas: {'1': {}, '2': {type: 'string'}}})
    await t.api('PUT', t.p('/event-types/user.created'), {json_schema: {type: 'object'}})
    expect((await svix.eventType.get('user.created')).schemas).toEqual({'1': {type: 'object'}, '2': {type: 'string'}})

    // Svix's delete archives: the type is gone for Convoy.
    await svix.eventType.delete('user.created')
    expect((await listTypes(t)).map((e) => e.name)).toEqual(['user.deleted'])
  })
})

describe('event payloads checked against the event type’s json_schema', () => {
  it('is off by default, like Convoy: a payload the schema refuses is accepted', async () => {
    const t = await useRelay()
    const endpointId = await createEndpoint(t)
    await createType(t, {name: 'invoice.paid', json_schema: INVOICE_SCHEMA})
    const res = await t.api('POST', t.p('/events'), {endpoint_id: endpointId, event_type: 'invoice.paid', data: {}})
    expect(res.status).toBe(201)
  })

  it('when the project enables it: 400 naming the failing path on every send route, nothing stored', async () => {
    const t = await useRelay()
    const {endpointId} = await subscribedEndpoint(t, {}, {owner_id: 'acme'})
    await createType(t, {name: 'invoice.paid', json_schema: INVOICE_SCHEMA})
    await enableValidation(t)
    const routes: [string, Record<string, unknown>][] = [
      ['/events', {endpoint_id: endpointId}],
      ['/events/fanout', {owner_id: 'acme'}],
      ['/events/broadcast', {}],
    ]
    const bad: [unknown, string][] = [
      [{id: 'in_1'}, 'data.amount is required'],
      [{id: 'in_1', amount: 'ten'}, 'data.amount must be integer'],
      [{id: 'in_1', amount: 1, lines: [{sku: 'a'}, {}]}, 'data.lines[1].sku is required'],
      [{id: 'in_1', amount: -1}, 'data.amount must be >= 0'],
    ]
    for (const [path, target] of routes)
      for (const [data, problem] of bad) {
        const res = await t.api('POST', t.p(path), {...target, event_type: 'invoice.paid', data})
        expect(res.status, `${path} ${JSON.stringify(data)}`).toBe(400)
        expect(res.json.message).toBe(`data does not match the json_schema of event type invoice.paid: ${problem}`)
      }
    expect(await eventCount(t)).toBe(0)

    for (const [path, target] of routes) {
      const ok = await t.api('POST', t.p(path), {...target, event_type: 'invoice.paid', data: {id: 'x', amount: 3}})
      expect(ok.status).toBe(201)
    }
    // Types with no schema, and types nobody declared, pass.
    await createType(t, {name: 'invoice.voided'})
    for (const type of ['invoice.voided', 'never.declared']) {
      const res = await t.api('POST', t.p('/events'), {
        endpoint_id: endpointId,
        event_type: type,
        data: {anything: true},
      })
      expect(res.status).toBe(201)
    }
    expect(await eventCount(t)).toBe(5)

    await enableValidation(t, false)
    const off = await t.api('POST', t.p('/events'), {endpoint_id: endpointId, event_type: 'invoice.paid', data: {}})
    expect(off.status).toBe(201)
  })
})

const OPENAPI_31 = {
  openapi: '3.1.0',
  info: {title: 'Billing', version: '1'},
  webhooks: {
    'invoice.paid': {
      post: {
        summary: 'Invoice paid',
        description: 'Sent when an invoice is paid',
        tags: ['billing'],
        requestBody: {content: {'application/json': {schema: {$ref: '#/components/schemas/Invoice'}}}},
        responses: {200: {description: 'ok'}},
      },
    },
    'customer.updated': {$ref: '#/components/pathItems/CustomerUpdated'},
    ping: {post: {summary: 'A ping, no body'}},
  },
  components: {
    pathItems: {
      CustomerUpdated: {
        post: {
          summary: 'Customer changed',
          requestBody: {$ref: '#/components/requestBodies/Customer'},
        },
      },
    },
    requestBodies: {
      Customer: {content: {'application/json': {schema: {$ref: '#/components/schemas/Customer'}}}},
    },
    schemas: {
      Invoice: {
        type: 'object',
        properties: {id: {type: 'string'}, customer: {$ref: '#/components/schemas/Customer'}},
        required: ['id', 'customer'],
      },
      Customer: {
        type: 'object',
        properties: {email: {type: 'string'}, referrer: {$ref: '#/components/schemas/Customer'}},
        required: ['email'],
      },
    },
  },
}

describe('importing event types from an OpenAPI document', () => {
  it('creates or updates one event type per webhook with its request-body schema', async () => {
    const t = await useRelay()
    const existing = await createType(t, {name: 'invoice.paid', description: 'old', category: 'old'})
    const res = await t.api('POST', t.p('/event-types/import'), {spec: JSON.stringify(OPENAPI_31)})
    expect(res.status, JSON.stringify(res.json)).toBe(200)
    const byName = Object.fromEntries(res.json.data.map((e: {name: string}) => [e.name, e]))
    expect(Object.keys(byName).sort()).toEqual(['customer.updated', 'invoice.paid', 'ping'])
    expect(byName['invoice.paid']).toMatchObject({
      uid: existing.uid,
      description: 'Sent when an invoice is paid',
      category: 'billing',
    })
    expect(byName['invoice.paid'].json_schema).toEqual({
      type: 'object',
      properties: {id: {type: 'string'}, customer: {$ref: '#/$defs/Customer'}},
      required: ['id', 'customer'],
      $defs: {
        Customer: {
          type: 'object',
          properties: {email: {type: 'string'}, referrer: {$ref: '#/$defs/Customer'}},
          required: ['email'],
        },
      },
    })
    expect(byName['customer.updated']).toMatchObject({description: 'Customer changed', category: ''})
    expect(byName.ping.json_schema).toBeNull()
    expect(await listTypes(t)).toHaveLength(3)

    // The imported schemas check payloads, references and all.
    const endpointId = await createEndpoint(t)
    await enableValidation(t)
    const send = (data: unknown) =>
      t.api('POST', t.p('/events'), {endpoint_id: endpointId, event_type: 'invoice.paid', data})
    const bad = await send({id: 'in_1', customer: {email: 'a@b', referrer: {}}})
    expect(bad.status).toBe(400)
    expect(bad.json.message).toMatch(/: data\.customer\.referrer\.email is required$/)
    expect((await send({id: 'in_1', customer: {email: 'a@b'}})).status).toBe(201)
  })

  it('reads OpenAPI 3.0 x-webhooks too', async () => {
    const t = await useRelay()
    const doc = {
      openapi: '3.0.3',
      'x-webhooks': {
        'order.shipped': {
          post: {
            description: 'Shipped',
            requestBody: {content: {'application/json': {schema: {type: 'object', required: ['order']}}}},
          },
        },
      },
    }
    const res = await t.api('POST', t.p('/event-types/import'), {spec: JSON.stringify(doc)})
    expect(res.status).toBe(200)
    expect(res.json.data).toEqual([
      expect.objectContaining({
        name: 'order.shipped',
        description: 'Shipped',
        json_schema: {type: 'object', required: ['order']},
      }),
    ])
  })

  it('refuses a document it cannot read with a 400 saying why, and imports nothing', async () => {
    const t = await useRelay()
    const broken = structuredClone(OPENAPI_31) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    broken.webhooks.ping.post.requestBody = {content: {'application/json': {schema: {$ref: 'other.json#/X'}}}}
    const cases: [unknown, RegExp][] = [
      [{spec: 'openapi: 3.1.0\nwebhooks: {}'}, /^spec is not a JSON document .*convert it to JSON first$/],
      [{spec: JSON.stringify({openapi: '3.1.0', paths: {}})}, /spec declares no webhooks/],
      [{spec: JSON.stringify(broken)}, /spec: webhooks\.ping.*only local references .*other\.json#\/X/],
      [{}, /spec is required/],
    ]
    for (const [body, message] of cases) {
      const res = await t.api('POST', t.p('/event-types/import'), body)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(res.json.message).toMatch(message)
    }
    expect(await listTypes(t)).toEqual([])
  })
})
