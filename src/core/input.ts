import {badRequest} from '../errors.js'

type Json = Record<string, unknown>

/**
 * Reads fields of a JSON request body, answering 400 with a message that names the
 * field (with its path, e.g. `config.strategy.duration`) when a value is wrong.
 */
export class Input {
  private constructor(
    private readonly obj: Json,
    private readonly prefix: string,
  ) {}

  static of(body: unknown, prefix = ''): Input {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw badRequest(prefix ? `${prefix} must be an object` : 'request body must be a JSON object')
    }
    return new Input(body as Json, prefix)
  }

  field(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined && this.obj[name] !== null
  }

  raw(name: string): unknown {
    return this.obj[name]
  }

  str(name: string, opts: {required: true; oneOf?: readonly string[]; max?: number}): string
  str(name: string, opts?: {required?: false; oneOf?: readonly string[]; max?: number}): string | undefined
  str(name: string, opts: {required?: boolean; oneOf?: readonly string[]; max?: number} = {}): string | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null || v === '') {
      if (opts.required) throw badRequest(`${this.field(name)} is required`)
      return undefined
    }
    if (typeof v !== 'string') throw badRequest(`${this.field(name)} must be a string`)
    if (opts.max !== undefined && v.length > opts.max) {
      throw badRequest(`${this.field(name)} must be at most ${opts.max} characters`)
    }
    if (opts.oneOf && !opts.oneOf.includes(v)) {
      throw badRequest(`${this.field(name)} must be one of ${opts.oneOf.join(', ')} (got "${v}")`)
    }
    return v
  }

  int(name: string, opts: {min?: number; max?: number} = {}): number | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'number' || !Number.isInteger(v)) throw badRequest(`${this.field(name)} must be an integer`)
    if (opts.min !== undefined && v < opts.min) throw badRequest(`${this.field(name)} must be at least ${opts.min}`)
    if (opts.max !== undefined && v > opts.max) throw badRequest(`${this.field(name)} must be at most ${opts.max}`)
    return v
  }

  bool(name: string): boolean | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'boolean') throw badRequest(`${this.field(name)} must be true or false`)
    return v
  }

  url(name: string, opts: {required: true}): string
  url(name: string, opts?: {required?: boolean}): string | undefined
  url(name: string, opts: {required?: boolean} = {}): string | undefined {
    const v = this.str(name, {required: opts.required as false})
    if (v === undefined) return undefined
    return checkUrl(v, this.field(name))
  }

  obj_(name: string): Input | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    return Input.of(v, this.field(name))
  }

  strings(name: string): string[] | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      throw badRequest(`${this.field(name)} must be an array of strings`)
    }
    return v as string[]
  }

  record(name: string): Record<string, unknown> | undefined {
    const v = this.obj[name]
    if (v === undefined || v === null) return undefined
    if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`${this.field(name)} must be an object`)
    return v as Record<string, unknown>
  }
}

export function checkUrl(value: string, field: string): string {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw badRequest(`${field} is not a valid URL: "${value}"`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw badRequest(`${field} must be an http or https URL (got "${parsed.protocol}")`)
  }
  return value
}
