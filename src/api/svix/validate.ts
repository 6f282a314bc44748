/**
 * Svix's input rules and its 422 shape: `{detail: [{loc: ['body', field], msg, type}]}`.
 * Every check runs before anything is written, so a rejected request changes nothing.
 */

export interface ValidationItem {
  loc: string[]
  msg: string
  type: string
}

export class SvixValidationError extends Error {
  constructor(readonly detail: ValidationItem[]) {
    super(detail.map((d) => `${d.loc.join('.')}: ${d.msg}`).join('; '))
    this.name = 'SvixValidationError'
  }
}

export const invalid = (loc: string[], msg: string, type = 'value_error'): SvixValidationError =>
  new SvixValidationError([{loc, msg, type}])

/** Svix's ids, uids, event type names and channels. */
const NAME = /^[a-zA-Z0-9\-_.]+$/

type Json = Record<string, unknown>

export class SvixInput {
  private constructor(
    private readonly obj: Json,
    private readonly loc: string[],
  ) {}

  static body(body: unknown, loc: string[] = ['body']): SvixInput {
    if (body === null || typeof body !== 'object' || Array.isArray(body))
      throw invalid(loc, 'value is not a valid dict', 'type_error.dict')
    return new SvixInput(body as Json, loc)
  }

  private at(name: string): string[] {
    return [...this.loc, name]
  }

  /** Present and not null. */
  has(name: string): boolean {
    return this.obj[name] !== undefined && this.obj[name] !== null
  }

  /** Present, null included (PATCH: null clears a field). */
  given(name: string): boolean {
    return name in this.obj && this.obj[name] !== undefined
  }

  raw(name: string): unknown {
    return this.obj[name]
  }

  str(name: string, opts: {required: true; max?: number; min?: number; pattern?: RegExp}): string
  str(name: string, opts?: {required?: false; max?: number; min?: number; pattern?: RegExp}): string | undefined
  str(name: string, opts: {required?: boolean; max?: number; min?: number; pattern?: RegExp} = {}): string | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) {
      if (opts.required) throw invalid(this.at(name), 'field required', 'value_error.missing')
      return undefined
    }
    if (typeof v !== 'string') throw invalid(this.at(name), 'str type expected', 'type_error.str')
    if (v.length < (opts.min ?? 0))
      throw invalid(
        this.at(name),
        `ensure this value has at least ${opts.min} characters`,
        'value_error.any_str.min_length',
      )
    if (opts.max !== undefined && v.length > opts.max)
      throw invalid(
        this.at(name),
        `ensure this value has at most ${opts.max} characters`,
        'value_error.any_str.max_length',
      )
    if (opts.pattern && !opts.pattern.test(v))
      throw invalid(this.at(name), `string does not match regex "${opts.pattern.source}"`, 'value_error.str.regex')
    return v
  }

  /** An id-like value: uid, event type name, channel (1–256 of `a-zA-Z0-9-_.`). */
  name(name: string, opts: {required: true; max?: number}): string
  name(name: string, opts?: {required?: false; max?: number}): string | undefined
  name(name: string, opts: {required?: boolean; max?: number} = {}): string | undefined {
    return this.str(name, {required: opts.required as false, min: 1, max: opts.max ?? 256, pattern: NAME})
  }

  int(name: string, opts: {min?: number; max?: number} = {}): number | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw invalid(this.at(name), 'value is not a valid integer', 'type_error.integer')
    if (opts.min !== undefined && v < opts.min)
      throw invalid(
        this.at(name),
        `ensure this value is greater than or equal to ${opts.min}`,
        'value_error.number.not_ge',
      )
    if (opts.max !== undefined && v > opts.max)
      throw invalid(
        this.at(name),
        `ensure this value is less than or equal to ${opts.max}`,
        'value_error.number.not_le',
      )
    return v
  }

  bool(name: string): boolean | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean')
      throw invalid(this.at(name), 'value could not be parsed to a boolean', 'type_error.bool')
    return v
  }

  /** A list of names (filterTypes, channels): unique, 1..maxItems entries. */
  names(name: string, opts: {maxItems?: number; maxLength?: number} = {}): string[] | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v)) throw invalid(this.at(name), 'value is not a valid list', 'type_error.list')
    if (v.length === 0)
      throw invalid(this.at(name), 'ensure this value has at least 1 items', 'value_error.list.min_items')
    if (opts.maxItems !== undefined && v.length > opts.maxItems)
      throw invalid(this.at(name), `ensure this value has at most ${opts.maxItems} items`, 'value_error.list.max_items')
    v.forEach((item, i) => {
      const loc = [...this.at(name), String(i)]
      if (typeof item !== 'string') throw invalid(loc, 'str type expected', 'type_error.str')
      if (item.length === 0 || item.length > (opts.maxLength ?? 256) || !NAME.test(item))
        throw invalid(loc, `string does not match regex "${NAME.source}"`, 'value_error.str.regex')
    })
    if (new Set(v).size !== v.length)
      throw invalid(this.at(name), 'the list has duplicated items', 'value_error.list.unique_items')
    return v as string[]
  }

  /** An object of strings (metadata, headers). */
  stringMap(name: string): Record<string, string> | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'object' || Array.isArray(v))
      throw invalid(this.at(name), 'value is not a valid dict', 'type_error.dict')
    for (const [k, item] of Object.entries(v as Json))
      if (typeof item !== 'string') throw invalid([...this.at(name), k], 'str type expected', 'type_error.str')
    return v as Record<string, string>
  }

  object(name: string): Record<string, unknown> | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'object' || Array.isArray(v))
      throw invalid(this.at(name), 'value is not a valid dict', 'type_error.dict')
    return v as Record<string, unknown>
  }

  url(name: string, opts: {required: true}): string
  url(name: string, opts?: {required?: false}): string | undefined
  url(name: string, opts: {required?: boolean} = {}): string | undefined {
    const v = this.str(name, {required: opts.required as false, max: 65_536})
    if (v === undefined) return undefined
    let parsed: URL
    try {
      parsed = new URL(v)
    } catch {
      throw invalid(this.at(name), 'invalid or missing URL scheme', 'value_error.url.scheme')
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw invalid(this.at(name), 'URL scheme not permitted (http or https)', 'value_error.url.scheme')
    return v
  }

  nested(name: string): SvixInput | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    return SvixInput.body(v, this.at(name))
  }
}

/** A query parameter as a date-time (`before`, `after`, `since`, `until`). */
export function queryDate(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name)
  if (v === null || v === '') return undefined
  const ms = Date.parse(v)
  if (!Number.isFinite(ms)) throw invalid(['query', name], 'invalid datetime format', 'value_error.datetime')
  return new Date(ms).toISOString()
}

export function queryBool(query: URLSearchParams, name: string): boolean | undefined {
  const v = query.get(name)
  if (v === null || v === '') return undefined
  if (v === 'true') return true
  if (v === 'false') return false
  throw invalid(['query', name], 'value could not be parsed to a boolean', 'type_error.bool')
}

export function queryNames(query: URLSearchParams, name: string): string[] | undefined {
  const values = [...query.getAll(name), ...query.getAll(`${name}[]`)].flatMap((v) => v.split(',')).filter(Boolean)
  if (values.length === 0) return undefined
  for (const v of values)
    if (!NAME.test(v) || v.length > 256)
      throw invalid(['query', name], `string does not match regex "${NAME.source}"`, 'value_error.str.regex')
  return values
}
