import {describe, expect, it} from 'vitest'

import {compileFilter, matchesFilter, validateFilter} from '../../src/routing/filter.js'

const invoice = {
  type: 'invoice.paid',
  amount: 1200,
  currency: 'usd',
  paid_at: '2024-03-05T10:00:00Z',
  refunded: false,
  note: null,
  tags: ['vip', 'eu'],
  data: {customer: {id: 42, email: 'ada@example.com', plan: {name: 'pro'}}},
  items: [
    {sku: 'A-1', qty: 2, price: 500},
    {sku: 'B-2', qty: 1, price: 200},
  ],
  matrix: [
    [1, 2],
    [3, 4],
  ],
}

describe('matchesFilter: empty filters', () => {
  it('matches everything with null, undefined or {}', () => {
    for (const filter of [null, undefined, {}]) {
      expect(matchesFilter(filter, invoice)).toBe(true)
      expect(matchesFilter(filter, undefined)).toBe(true)
      expect(matchesFilter(filter, 'text')).toBe(true)
    }
  })

  it('matches nothing with a filter that is not an object', () => {
    expect(matchesFilter('amount', invoice)).toBe(false)
    expect(matchesFilter([{amount: 1200}], invoice)).toBe(false)
    expect(matchesFilter(7, invoice)).toBe(false)
  })
})

describe('matchesFilter: equality', () => {
  it('compares scalars strictly', () => {
    expect(matchesFilter({amount: 1200}, invoice)).toBe(true)
    expect(matchesFilter({amount: 1201}, invoice)).toBe(false)
    expect(matchesFilter({amount: '1200'}, invoice)).toBe(false)
    expect(matchesFilter({currency: 'usd'}, invoice)).toBe(true)
    expect(matchesFilter({currency: 'USD'}, invoice)).toBe(false)
    expect(matchesFilter({refunded: false}, invoice)).toBe(true)
    expect(matchesFilter({refunded: 0}, invoice)).toBe(false)
  })

  it('requires every key to match (implicit AND)', () => {
    expect(matchesFilter({amount: 1200, currency: 'usd'}, invoice)).toBe(true)
    expect(matchesFilter({amount: 1200, currency: 'eur'}, invoice)).toBe(false)
  })

  it('matches null only against a present null, not a missing field', () => {
    expect(matchesFilter({note: null}, invoice)).toBe(true)
    expect(matchesFilter({missing: null}, invoice)).toBe(false)
    expect(matchesFilter({amount: null}, invoice)).toBe(false)
  })

  it('does not match a missing field', () => {
    expect(matchesFilter({missing: 1}, invoice)).toBe(false)
  })

  it('compares array values deeply, in order', () => {
    expect(matchesFilter({tags: ['vip', 'eu']}, invoice)).toBe(true)
    expect(matchesFilter({tags: ['eu', 'vip']}, invoice)).toBe(false)
    expect(matchesFilter({tags: ['vip']}, invoice)).toBe(false)
    expect(matchesFilter({matrix: [3, 4]}, invoice)).toBe(true)
  })

  it('compares objects deeply via $eq, ignoring key order', () => {
    expect(matchesFilter({'data.customer.plan': {$eq: {name: 'pro'}}}, invoice)).toBe(true)
    expect(matchesFilter({items: {$eq: {qty: 1, sku: 'B-2', price: 200}}}, invoice)).toBe(true)
    expect(matchesFilter({'data.customer.plan': {$eq: {name: 'pro', extra: 1}}}, invoice)).toBe(false)
    expect(matchesFilter({'data.customer.plan': {$eq: {}}}, invoice)).toBe(false)
    expect(matchesFilter({'data.customer.plan': {$eq: ['pro']}}, invoice)).toBe(false)
  })

  it('treats 0 and -0 as equal, as JSON does', () => {
    expect(matchesFilter({n: 0}, {n: -0})).toBe(true)
  })
})

describe('matchesFilter: field paths', () => {
  it('follows dotted keys into nested objects', () => {
    expect(matchesFilter({'data.customer.id': 42}, invoice)).toBe(true)
    expect(matchesFilter({'data.customer.plan.name': 'pro'}, invoice)).toBe(true)
    expect(matchesFilter({'data.customer.id': 43}, invoice)).toBe(false)
    expect(matchesFilter({'data.customer.id.deeper': 42}, invoice)).toBe(false)
  })

  it('descends nested non-operator objects like dotted keys', () => {
    expect(matchesFilter({data: {customer: {id: 42}}}, invoice)).toBe(true)
    expect(matchesFilter({data: {customer: {id: 43}}}, invoice)).toBe(false)
    expect(matchesFilter({data: {'customer.plan': {name: 'pro'}}}, invoice)).toBe(true)
    expect(matchesFilter({data: {customer: {id: {$gte: 40}, email: {$regex: '@example\\.com$'}}}}, invoice)).toBe(true)
  })

  it('does not require a nested filter object to equal the whole value', () => {
    expect(matchesFilter({data: {customer: {id: 42}}}, invoice)).toBe(true)
    expect(matchesFilter({'data.customer': {$eq: {id: 42}}}, invoice)).toBe(false)
  })

  it('indexes arrays with numeric segments', () => {
    expect(matchesFilter({'items.0.sku': 'A-1'}, invoice)).toBe(true)
    expect(matchesFilter({'items.1.sku': 'A-1'}, invoice)).toBe(false)
    expect(matchesFilter({'items.1.qty': 1}, invoice)).toBe(true)
    expect(matchesFilter({'items.2.sku': {$exist: true}}, invoice)).toBe(false)
    expect(matchesFilter({'tags.1': 'eu'}, invoice)).toBe(true)
    expect(matchesFilter({'matrix.1.0': 3}, invoice)).toBe(true)
    expect(matchesFilter({items: {0: {sku: 'A-1'}}}, invoice)).toBe(true)
  })

  it('does not treat non-canonical numbers as indexes', () => {
    expect(matchesFilter({'tags.01': 'eu'}, invoice)).toBe(false)
    expect(matchesFilter({'tags.-1': 'eu'}, invoice)).toBe(false)
  })

  it('reads a numeric key of an object as a property name', () => {
    expect(matchesFilter({'codes.0': 'x'}, {codes: {0: 'x'}})).toBe(true)
  })

  it('looks a named segment up in every element of an array', () => {
    expect(matchesFilter({'items.sku': 'B-2'}, invoice)).toBe(true)
    expect(matchesFilter({'items.sku': 'C-3'}, invoice)).toBe(false)
    expect(matchesFilter({'items.price': {$gt: 400}}, invoice)).toBe(true)
    expect(matchesFilter({'items.price': {$gt: 600}}, invoice)).toBe(false)
    expect(matchesFilter({items: {sku: 'A-1'}}, invoice)).toBe(true)
  })

  it('applies operators at the root to the document itself', () => {
    expect(matchesFilter({$gt: 5}, 10)).toBe(true)
    expect(matchesFilter({$eq: 'ping'}, 'ping')).toBe(true)
    expect(matchesFilter({$exist: true}, undefined)).toBe(false)
  })

  it('only reads own properties, never the prototype', () => {
    expect(matchesFilter({constructor: {$exist: true}}, {})).toBe(false)
    expect(matchesFilter({'toString.name': 'toString'}, {})).toBe(false)
    expect(matchesFilter({'tags.length': 2}, invoice)).toBe(false)
    expect(matchesFilter(JSON.parse('{"__proto__": {"polluted": 1}}'), {})).toBe(false)
    expect(matchesFilter(JSON.parse('{"__proto__": {"a": 1}}'), JSON.parse('{"__proto__": {"a": 1}}'))).toBe(true)
  })
})

describe('matchesFilter: arrays in the document', () => {
  it('matches a scalar against any element', () => {
    expect(matchesFilter({tags: 'vip'}, invoice)).toBe(true)
    expect(matchesFilter({tags: 'eu'}, invoice)).toBe(true)
    expect(matchesFilter({tags: 'us'}, invoice)).toBe(false)
  })

  it('applies comparison operators to any element', () => {
    expect(matchesFilter({scores: {$gt: 8}}, {scores: [1, 9]})).toBe(true)
    expect(matchesFilter({scores: {$gt: 9}}, {scores: [1, 9]})).toBe(false)
    expect(matchesFilter({tags: {$regex: '^v'}}, invoice)).toBe(true)
    expect(matchesFilter({tags: {$in: ['us', 'eu']}}, invoice)).toBe(true)
  })

  it('matches an array operand against the whole array or an element that is an array', () => {
    expect(
      matchesFilter(
        {
          matrix: [
            [1, 2],
            [3, 4],
          ],
        },
        invoice,
      ),
    ).toBe(true)
    expect(matchesFilter({matrix: [1, 2]}, invoice)).toBe(true)
    expect(matchesFilter({matrix: [2, 1]}, invoice)).toBe(false)
  })

  it('matches an empty array only with an empty array', () => {
    expect(matchesFilter({list: []}, {list: []})).toBe(true)
    expect(matchesFilter({list: 'x'}, {list: []})).toBe(false)
    expect(matchesFilter({list: {$exist: true}}, {list: []})).toBe(true)
  })
})

describe('matchesFilter: operators', () => {
  it('$eq', () => {
    expect(matchesFilter({amount: {$eq: 1200}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$eq: 1}}, invoice)).toBe(false)
    expect(matchesFilter({note: {$eq: null}}, invoice)).toBe(true)
    expect(matchesFilter({missing: {$eq: null}}, invoice)).toBe(false)
  })

  it('$neq, which also matches a missing field', () => {
    expect(matchesFilter({currency: {$neq: 'eur'}}, invoice)).toBe(true)
    expect(matchesFilter({currency: {$neq: 'usd'}}, invoice)).toBe(false)
    expect(matchesFilter({missing: {$neq: 'usd'}}, invoice)).toBe(true)
    expect(matchesFilter({tags: {$neq: 'vip'}}, invoice)).toBe(false)
    expect(matchesFilter({tags: {$neq: 'us'}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$neq: '1200'}}, invoice)).toBe(true)
  })

  it('$gt, $gte, $lt, $lte on numbers', () => {
    expect(matchesFilter({amount: {$gt: 1199}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$gt: 1200}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$gte: 1200}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$gte: 1201}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$lt: 1201}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$lt: 1200}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$lte: 1200}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$lte: 1199.5}}, invoice)).toBe(false)
    expect(matchesFilter({delta: {$lt: 0}}, {delta: -3.5})).toBe(true)
  })

  it('combines bounds on one field', () => {
    expect(matchesFilter({amount: {$gt: 1000, $lt: 2000}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$gt: 1000, $lt: 1100}}, invoice)).toBe(false)
  })

  it('compares strings with strings, so ISO dates order correctly', () => {
    expect(matchesFilter({paid_at: {$gte: '2024-03-01T00:00:00Z'}}, invoice)).toBe(true)
    expect(matchesFilter({paid_at: {$lt: '2024-03-01T00:00:00Z'}}, invoice)).toBe(false)
    expect(matchesFilter({paid_at: {$gt: '2024-03-05T10:00:00Z'}}, invoice)).toBe(false)
    expect(matchesFilter({paid_at: {$lte: '2024-03-05T10:00:00Z'}}, invoice)).toBe(true)
    expect(matchesFilter({currency: {$gt: 'eur'}}, invoice)).toBe(true)
  })

  it('never matches comparisons across types', () => {
    expect(matchesFilter({amount: {$gt: '1000'}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$lt: '9999'}}, invoice)).toBe(false)
    expect(matchesFilter({currency: {$gt: 0}}, invoice)).toBe(false)
    expect(matchesFilter({refunded: {$lte: 1}}, invoice)).toBe(false)
    expect(matchesFilter({note: {$gte: 0}}, invoice)).toBe(false)
    expect(matchesFilter({'data.customer': {$gt: 0}}, invoice)).toBe(false)
    expect(matchesFilter({missing: {$lt: 1}}, invoice)).toBe(false)
  })

  it('$in', () => {
    expect(matchesFilter({currency: {$in: ['eur', 'usd']}}, invoice)).toBe(true)
    expect(matchesFilter({currency: {$in: ['eur', 'gbp']}}, invoice)).toBe(false)
    expect(matchesFilter({currency: {$in: []}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$in: ['1200']}}, invoice)).toBe(false)
    expect(matchesFilter({missing: {$in: [null]}}, invoice)).toBe(false)
    expect(matchesFilter({note: {$in: [null]}}, invoice)).toBe(true)
    expect(matchesFilter({'data.customer.plan': {$in: [{name: 'pro'}]}}, invoice)).toBe(true)
  })

  it('$nin, which also matches a missing field', () => {
    expect(matchesFilter({currency: {$nin: ['eur', 'gbp']}}, invoice)).toBe(true)
    expect(matchesFilter({currency: {$nin: ['usd']}}, invoice)).toBe(false)
    expect(matchesFilter({currency: {$nin: []}}, invoice)).toBe(true)
    expect(matchesFilter({missing: {$nin: ['usd']}}, invoice)).toBe(true)
    expect(matchesFilter({tags: {$nin: ['eu']}}, invoice)).toBe(false)
    expect(matchesFilter({tags: {$nin: ['us', 'asia']}}, invoice)).toBe(true)
  })

  it('$exist', () => {
    expect(matchesFilter({amount: {$exist: true}}, invoice)).toBe(true)
    expect(matchesFilter({amount: {$exist: false}}, invoice)).toBe(false)
    expect(matchesFilter({missing: {$exist: true}}, invoice)).toBe(false)
    expect(matchesFilter({missing: {$exist: false}}, invoice)).toBe(true)
    expect(matchesFilter({note: {$exist: true}}, invoice)).toBe(true)
    expect(matchesFilter({refunded: {$exist: true}}, invoice)).toBe(true)
    expect(matchesFilter({'data.customer.email': {$exist: true}}, invoice)).toBe(true)
    expect(matchesFilter({'data.customer.phone': {$exist: false}}, invoice)).toBe(true)
    expect(matchesFilter({'items.sku': {$exist: true}}, invoice)).toBe(true)
    expect(matchesFilter({'items.color': {$exist: false}}, invoice)).toBe(true)
  })

  it('$regex without requiring a full match', () => {
    expect(matchesFilter({type: {$regex: 'paid'}}, invoice)).toBe(true)
    expect(matchesFilter({type: {$regex: '^invoice\\.'}}, invoice)).toBe(true)
    expect(matchesFilter({type: {$regex: '^paid'}}, invoice)).toBe(false)
    expect(matchesFilter({type: {$regex: 'PAID'}}, invoice)).toBe(false)
    expect(matchesFilter({'data.customer.email': {$regex: '^[a-z]+@example\\.com$'}}, invoice)).toBe(true)
  })

  it('$regex only matches strings', () => {
    expect(matchesFilter({amount: {$regex: '1200'}}, invoice)).toBe(false)
    expect(matchesFilter({note: {$regex: 'null'}}, invoice)).toBe(false)
    expect(matchesFilter({missing: {$regex: '.*'}}, invoice)).toBe(false)
  })

  it('$regex gives the same answer on repeated use of a compiled filter', () => {
    const matches = compileFilter({type: {$regex: 'paid'}})
    expect([matches(invoice), matches(invoice), matches(invoice)]).toEqual([true, true, true])
  })
})

describe('matchesFilter: $or and $and', () => {
  it('$or matches when any sub-filter matches', () => {
    const filter = {$or: [{currency: 'eur'}, {amount: {$gt: 1000}}]}
    expect(matchesFilter(filter, invoice)).toBe(true)
    expect(matchesFilter(filter, {currency: 'eur', amount: 1})).toBe(true)
    expect(matchesFilter(filter, {currency: 'usd', amount: 1})).toBe(false)
  })

  it('$and matches when every sub-filter matches', () => {
    expect(matchesFilter({$and: [{currency: 'usd'}, {amount: {$gt: 1000}}]}, invoice)).toBe(true)
    expect(matchesFilter({$and: [{currency: 'usd'}, {amount: {$gt: 2000}}]}, invoice)).toBe(false)
  })

  it('combines $or with sibling fields', () => {
    const filter = {currency: 'usd', $or: [{tags: 'vip'}, {amount: {$gt: 5000}}]}
    expect(matchesFilter(filter, invoice)).toBe(true)
    expect(matchesFilter(filter, {...invoice, tags: []})).toBe(false)
    expect(matchesFilter(filter, {...invoice, currency: 'eur'})).toBe(false)
  })

  it('nests $or inside $and and the other way round', () => {
    const filter = {
      $and: [{$or: [{currency: 'eur'}, {currency: 'usd'}]}, {$or: [{amount: {$lt: 100}}, {refunded: false}]}],
    }
    expect(matchesFilter(filter, invoice)).toBe(true)
    expect(matchesFilter(filter, {...invoice, refunded: true})).toBe(false)
    expect(matchesFilter({$or: [{$and: [{currency: 'usd'}, {amount: 1}]}, {type: 'invoice.paid'}]}, invoice)).toBe(true)
  })

  it('scopes a nested $or to the field it sits under', () => {
    const filter = {data: {customer: {$or: [{id: 7}, {'plan.name': 'pro'}]}}}
    expect(matchesFilter(filter, invoice)).toBe(true)
    expect(matchesFilter({data: {customer: {$or: [{id: 7}, {'plan.name': 'free'}]}}}, invoice)).toBe(false)
    expect(matchesFilter({'data.customer': {$and: [{id: 42}, {email: {$exist: true}}]}}, invoice)).toBe(true)
  })

  it('fails closed on malformed $or / $and', () => {
    expect(matchesFilter({$or: []}, invoice)).toBe(false)
    expect(matchesFilter({$or: {currency: 'usd'}}, invoice)).toBe(false)
    expect(matchesFilter({$and: 'x'}, invoice)).toBe(false)
    expect(matchesFilter({$or: [null]}, invoice)).toBe(false)
  })
})

describe('matchesFilter: invalid filters fail closed', () => {
  it('matches nothing with an unknown operator or a bad operand', () => {
    expect(matchesFilter({amount: {$foo: 1}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$in: 1200}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$nin: 1}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$gt: [1]}}, invoice)).toBe(false)
    expect(matchesFilter({amount: {$exist: 'yes'}}, invoice)).toBe(false)
    expect(matchesFilter({type: {$regex: '('}}, invoice)).toBe(false)
    expect(matchesFilter({type: {$regex: 5}}, invoice)).toBe(false)
  })
})

describe('matchesFilter: odd documents', () => {
  const filters: unknown[] = [
    {a: 1},
    {'a.b.c': {$exist: false}},
    {a: {$neq: 1}},
    {$or: [{a: 1}, {'b.0': 2}]},
    {a: {$regex: 'x'}},
  ]
  const docs: unknown[] = [undefined, null, 0, 'text', true, [], [1, {a: 1}], {a: undefined}, Object.create(null)]

  it('never throws', () => {
    for (const filter of filters) {
      for (const doc of docs) expect(() => matchesFilter(filter, doc)).not.toThrow()
    }
  })

  it('treats a missing or undefined value as not existing', () => {
    expect(matchesFilter({a: {$exist: false}}, undefined)).toBe(true)
    expect(matchesFilter({a: {$exist: false}}, null)).toBe(true)
    expect(matchesFilter({a: {$exist: false}}, 'text')).toBe(true)
    expect(matchesFilter({a: {$exist: false}}, {a: undefined})).toBe(true)
    expect(matchesFilter({a: 1}, null)).toBe(false)
    expect(matchesFilter({a: {$neq: 1}}, 42)).toBe(true)
  })

  it('looks into objects without a prototype', () => {
    const doc = Object.assign(Object.create(null), {a: 1})
    expect(matchesFilter({a: 1}, doc)).toBe(true)
  })

  it('looks a named path up in the objects of a top-level array', () => {
    expect(matchesFilter({a: 1}, [1, {a: 1}])).toBe(true)
    expect(matchesFilter({'1.a': 1}, [1, {a: 1}])).toBe(true)
  })
})

describe('validateFilter', () => {
  const at = 'filter_config.filter.body'

  it('accepts empty filters', () => {
    expect(validateFilter(null, at)).toBeNull()
    expect(validateFilter(undefined, at)).toBeNull()
    expect(validateFilter({}, at)).toBeNull()
  })

  it('accepts every operator with a good operand', () => {
    const filter = {
      a: {$eq: {x: [1]}},
      b: {$neq: null},
      c: {$gt: 1, $lt: 9},
      d: {$gte: '2024-01-01', $lte: '2025-01-01'},
      e: {$in: [1, 'x', null]},
      f: {$nin: []},
      g: {$exist: false},
      h: {$regex: '^a(b|c)+$'},
      'i.j.0': 1,
      k: {l: {m: ['x']}},
      $or: [{n: 1}, {$and: [{o: 2}, {p: {$exist: true}}]}],
    }
    expect(validateFilter(filter, at)).toBeNull()
  })

  it('rejects a filter that is not an object', () => {
    expect(validateFilter('amount', at)).toBe('filter_config.filter.body: must be an object')
    expect(validateFilter([{a: 1}], at)).toBe('filter_config.filter.body: must be an object')
    expect(validateFilter(5, at)).toBe('filter_config.filter.body: must be an object')
  })

  it('names the field and an unknown operator', () => {
    expect(validateFilter({amount: {$foo: 1}}, at)).toBe('filter_config.filter.body.amount: unknown operator "$foo"')
    expect(validateFilter({$gt: 1, $nope: 2}, at)).toBe('filter_config.filter.body: unknown operator "$nope"')
    expect(validateFilter({data: {customer: {id: {$ne: 1}}}}, at)).toBe(
      'filter_config.filter.body.data.customer.id: unknown operator "$ne"',
    )
    expect(validateFilter({'data.id': {$exists: true}}, at)).toBe(
      'filter_config.filter.body.data.id: unknown operator "$exists"',
    )
  })

  it('requires arrays for $in and $nin', () => {
    expect(validateFilter({currency: {$in: 'usd'}}, at)).toBe('filter_config.filter.body.currency: $in needs an array')
    expect(validateFilter({currency: {$nin: {a: 1}}}, at)).toBe(
      'filter_config.filter.body.currency: $nin needs an array',
    )
  })

  it('requires a number or a string for comparisons', () => {
    for (const op of ['$gt', '$gte', '$lt', '$lte']) {
      expect(validateFilter({amount: {[op]: true}}, at)).toBe(
        `filter_config.filter.body.amount: ${op} needs a number or a string`,
      )
      expect(validateFilter({amount: {[op]: null}}, at)).not.toBeNull()
      expect(validateFilter({amount: {[op]: [1]}}, at)).not.toBeNull()
    }
  })

  it('requires a boolean for $exist', () => {
    expect(validateFilter({amount: {$exist: 'yes'}}, at)).toBe(
      'filter_config.filter.body.amount: $exist needs true or false',
    )
    expect(validateFilter({amount: {$exist: 1}}, at)).not.toBeNull()
  })

  it('requires a valid regular expression string for $regex', () => {
    expect(validateFilter({type: {$regex: 5}}, at)).toBe('filter_config.filter.body.type: $regex needs a string')
    expect(validateFilter({type: {$regex: '(unclosed'}}, at)).toBe(
      'filter_config.filter.body.type: $regex is not a valid regular expression: "(unclosed"',
    )
    expect(validateFilter({type: {$regex: '*'}}, at)).toContain('$regex is not a valid regular expression')
  })

  it('requires non-empty arrays of objects for $or and $and, naming the element', () => {
    expect(validateFilter({$or: []}, at)).toBe('filter_config.filter.body: $or needs a non-empty array of filters')
    expect(validateFilter({$and: {a: 1}}, at)).toBe(
      'filter_config.filter.body: $and needs a non-empty array of filters',
    )
    expect(validateFilter({$or: [{a: 1}, 'b']}, at)).toBe('filter_config.filter.body.$or[1]: must be an object')
    expect(validateFilter({$or: [{a: 1}, {amount: {$bad: 1}}]}, at)).toBe(
      'filter_config.filter.body.$or[1].amount: unknown operator "$bad"',
    )
    expect(validateFilter({data: {$and: [{$or: [{x: {$in: 1}}]}]}}, at)).toBe(
      'filter_config.filter.body.data.$and[0].$or[0].x: $in needs an array',
    )
  })

  it('rejects operators mixed with field names at one level', () => {
    expect(validateFilter({amount: {$gt: 5, currency: 'usd'}}, at)).toBe(
      'filter_config.filter.body.amount: cannot mix operators ($gt) with field names (currency)',
    )
  })

  it('allows $or and $and next to field names', () => {
    expect(validateFilter({currency: 'usd', $or: [{a: 1}], $and: [{b: 2}]}, at)).toBeNull()
  })

  it('rejects empty path segments', () => {
    expect(validateFilter({'data..id': 1}, at)).toBe(
      'filter_config.filter.body: field path "data..id" has an empty segment',
    )
    expect(validateFilter({'': 1}, at)).toBe('filter_config.filter.body: field path "" has an empty segment')
    expect(validateFilter({data: {'id.': 1}}, at)).toBe(
      'filter_config.filter.body.data: field path "id." has an empty segment',
    )
  })

  it('does not look inside literal operands', () => {
    expect(validateFilter({a: {$eq: {$weird: 1}}}, at)).toBeNull()
    expect(validateFilter({a: {$in: [{$weird: 1}]}}, at)).toBeNull()
    expect(validateFilter({a: [{$weird: 1}]}, at)).toBeNull()
  })

  it('uses a bare key path when the field is empty', () => {
    expect(validateFilter({amount: {$foo: 1}}, '')).toBe('amount: unknown operator "$foo"')
  })

  it('agrees with matching: whatever it accepts can match, whatever it rejects matches nothing', () => {
    const rejected = [{amount: {$foo: 1}}, {amount: {$in: 1}}, {type: {$regex: '('}}, {$or: []}]
    for (const filter of rejected) {
      expect(validateFilter(filter, at)).not.toBeNull()
      expect(matchesFilter(filter, invoice)).toBe(false)
    }
  })
})
