// Convoy's subscription filter language (`filter_config.filter.body` / `.headers`), evaluated
// MongoDB-style over JSON documents.
//
// A filter is first compiled into a small condition tree whose leaves hold absolute field
// paths, so nested objects, dotted keys and nested `$or`/`$and` all reach one evaluator, and
// `{"data": {"id": 1}}` means exactly what `{"data.id": 1}` means.

type Json = Record<string, unknown>

/** Decides one field condition from every value found at the field's path (none = missing). */
type ValuesTest = (values: readonly unknown[]) => boolean

type Condition =
  | {kind: 'all'; of: readonly Condition[]}
  | {kind: 'any'; of: readonly Condition[]}
  | {kind: 'field'; path: readonly string[]; test: ValuesTest}

interface OperatorSpec {
  /** What is wrong with the operand, or null. */
  check(operand: unknown): string | null
  /** Only called with an operand `check` accepted. */
  build(operand: unknown): ValuesTest
}

const ALWAYS: Condition = {kind: 'all', of: []}
const NEVER: Condition = {kind: 'any', of: []}
const NEVER_TEST: ValuesTest = () => false

// Positive operators match when the value, or any element of an array value, satisfies them;
// the negated ones are their exact complements, so `$neq`/`$nin` also match a missing field.
const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  $eq: {check: () => null, build: (operand) => anyElement((value) => jsonEqual(value, operand))},
  $neq: {check: () => null, build: (operand) => not(anyElement((value) => jsonEqual(value, operand)))},
  $gt: ordering('$gt', (order) => order > 0),
  $gte: ordering('$gte', (order) => order >= 0),
  $lt: ordering('$lt', (order) => order < 0),
  $lte: ordering('$lte', (order) => order <= 0),
  $in: {check: needsArray('$in'), build: (operand) => anyElement((value) => isOneOf(value, operand as unknown[]))},
  $nin: {
    check: needsArray('$nin'),
    build: (operand) => not(anyElement((value) => isOneOf(value, operand as unknown[]))),
  },
  $exist: {
    check: (operand) => (typeof operand === 'boolean' ? null : '$exist needs true or false'),
    build: (operand) => (values) => values.length > 0 === operand,
  },
  $regex: {
    check(operand) {
      if (typeof operand !== 'string') return '$regex needs a string'
      return toRegExp(operand) ? null : `$regex is not a valid regular expression: ${JSON.stringify(operand)}`
    },
    build(operand) {
      const pattern = toRegExp(operand as string) as RegExp
      return anyElement((value) => typeof value === 'string' && pattern.test(value))
    },
  },
}

/**
 * Compiles `filter` once into a predicate over documents. Null, undefined and `{}` match
 * everything. A filter that is not an object, an unknown operator or a bad operand fails
 * closed (matches nothing), so a filter stored before validation existed never over-delivers.
 */
export function compileFilter(filter: unknown): (doc: unknown) => boolean {
  const condition = filter === undefined || filter === null ? ALWAYS : compileNode(filter, [])
  return (doc) => evaluate(condition, doc)
}

/** True when `doc` satisfies `filter`. Never throws, whatever the document is. */
export function matchesFilter(filter: unknown, doc: unknown): boolean {
  return compileFilter(filter)(doc)
}

/**
 * Null when `filter` is usable, else the first problem as `<field path>: <message>`, with
 * `field` (e.g. `filter_config.filter.body`) as the root of the path.
 */
export function validateFilter(filter: unknown, field: string): string | null {
  if (filter === undefined || filter === null) return null
  return validateNode(filter, field)
}

function compileNode(node: unknown, prefix: readonly string[]): Condition {
  if (!isPlainObject(node)) return NEVER
  return {kind: 'all', of: Object.entries(node).map(([key, value]) => compileEntry(key, value, prefix))}
}

function compileEntry(key: string, value: unknown, prefix: readonly string[]): Condition {
  if (isLogical(key)) {
    if (!Array.isArray(value)) return NEVER
    return {kind: key === '$or' ? 'any' : 'all', of: value.map((sub) => compileNode(sub, prefix))}
  }

  if (key.startsWith('$')) return {kind: 'field', path: prefix, test: compileOperator(key, value)}

  const path = [...prefix, ...key.split('.')]
  if (isPlainObject(value)) return compileNode(value, path)
  return {kind: 'field', path, test: compileOperator('$eq', value)}
}

function compileOperator(operator: string, operand: unknown): ValuesTest {
  const spec = OPERATORS[operator]
  if (!spec || spec.check(operand) !== null) return NEVER_TEST
  return spec.build(operand)
}

function evaluate(condition: Condition, doc: unknown): boolean {
  switch (condition.kind) {
    case 'all':
      return condition.of.every((sub) => evaluate(sub, doc))
    case 'any':
      return condition.of.some((sub) => evaluate(sub, doc))
    case 'field':
      return condition.test(resolvePath(doc, condition.path))
  }
}

function validateNode(node: unknown, at: string): string | null {
  if (!isPlainObject(node)) return `${at}: must be an object`

  const keys = Object.keys(node)
  const operators = keys.filter((key) => key.startsWith('$') && !isLogical(key))
  const fields = keys.filter((key) => !key.startsWith('$'))
  // `{"amount": {"$gt": 5, "currency": "usd"}}` is almost always a misplaced brace.
  if (operators.length > 0 && fields.length > 0) {
    return `${at}: cannot mix operators (${operators.join(', ')}) with field names (${fields.join(', ')})`
  }

  for (const [key, value] of Object.entries(node)) {
    const problem = validateEntry(key, value, at)
    if (problem !== null) return problem
  }

  return null
}

function validateEntry(key: string, value: unknown, at: string): string | null {
  if (isLogical(key)) {
    if (!Array.isArray(value) || value.length === 0) return `${at}: ${key} needs a non-empty array of filters`
    for (const [index, sub] of value.entries()) {
      const problem = validateNode(sub, `${at}.${key}[${index}]`)
      if (problem !== null) return problem
    }

    return null
  }

  if (key.startsWith('$')) {
    const spec = OPERATORS[key]
    if (!spec) return `${at}: unknown operator ${JSON.stringify(key)}`
    const problem = spec.check(value)
    return problem === null ? null : `${at}: ${problem}`
  }

  if (key.split('.').includes('')) return `${at}: field path ${JSON.stringify(key)} has an empty segment`
  return isPlainObject(value) ? validateNode(value, at === '' ? key : `${at}.${key}`) : null
}

/**
 * Every value at `path`. A numeric segment indexes an array; any other segment reaching an
 * array is looked up in each of its object elements, so `items.sku` sees every item's sku.
 */
function resolvePath(doc: unknown, path: readonly string[]): unknown[] {
  let values: unknown[] = doc === undefined ? [] : [doc]
  for (const segment of path) {
    values = values.flatMap((value) => childValues(value, segment))
  }

  return values
}

function childValues(value: unknown, segment: string): unknown[] {
  if (Array.isArray(value)) {
    if (/^(0|[1-9]\d*)$/.test(segment)) return present(value[Number(segment)])
    return value.flatMap((element) => (isPlainObject(element) ? ownValue(element, segment) : []))
  }

  return isPlainObject(value) ? ownValue(value, segment) : []
}

// Own properties only, so `constructor` or `__proto__` in a filter never reach Object.prototype.
function ownValue(object: Json, key: string): unknown[] {
  return Object.hasOwn(object, key) ? present(object[key]) : []
}

function present(value: unknown): unknown[] {
  return value === undefined ? [] : [value]
}

function anyElement(predicate: (value: unknown) => boolean): ValuesTest {
  return (values) => values.some((value) => predicate(value) || (Array.isArray(value) && value.some(predicate)))
}

function not(test: ValuesTest): ValuesTest {
  return (values) => !test(values)
}

function ordering(operator: string, accepts: (order: number) => boolean): OperatorSpec {
  return {
    check: (operand) =>
      typeof operand === 'number' || typeof operand === 'string' ? null : `${operator} needs a number or a string`,
    build: (operand) =>
      anyElement((value) => {
        const order = compare(value, operand)
        return order !== undefined && accepts(order)
      }),
  }
}

// Numbers order with numbers and strings with strings (ISO-8601 timestamps sort correctly as
// strings); anything else is unordered, so a mismatched type never satisfies a comparison.
function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return undefined
}

function needsArray(operator: string): OperatorSpec['check'] {
  return (operand) => (Array.isArray(operand) ? null : `${operator} needs an array`)
}

function isOneOf(value: unknown, candidates: readonly unknown[]): boolean {
  return candidates.some((candidate) => jsonEqual(value, candidate))
}

// No flags: a global or sticky RegExp would carry lastIndex from one test() to the next.
function toRegExp(source: string): RegExp | undefined {
  try {
    return new RegExp(source)
  } catch {
    return undefined
  }
}

// Structural equality of JSON values; key order does not matter, and unlike
// util.isDeepStrictEqual, 0 equals -0 as it does in JSON.
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((element, index) => jsonEqual(element, b[index]))
  }

  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a)
    return (
      keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]))
    )
  }

  return false
}

function isLogical(key: string): key is '$or' | '$and' {
  return key === '$or' || key === '$and'
}

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
