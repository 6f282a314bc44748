/**
 * Seeded random inputs for the API fuzz test: the same seed gives the same cases, so a
 * failure printed with its seed and case number can be replayed exactly.
 */

/** Percent-encode a string's UTF-8 bytes (lone surrogates too, which encodeURIComponent refuses). */
export function pct(text: string): string {
  return [...Buffer.from(text)]
    .map((b) =>
      /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0').toUpperCase()}`,
    )
    .join('')
}

/** mulberry32: tiny, fast and good enough to pick test inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export class Gen {
  constructor(readonly next: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n)
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255)
    return out
  }

  /** Strings a parser may choke on: unicode, controls, lone surrogates, quotes, long runs. */
  string(): string {
    return this.pick<() => string>([
      () => '',
      () => 'x',
      () => 'a.b.c',
      () => '..',
      () => '%2e%2e',
      () => '../../etc/passwd',
      () => 'é漢字🚀',
      () => '\u0000\u0001\u001f',
      () => '\ud800',
      () => '"\'\\',
      () => ' '.repeat(this.int(1, 50)),
      () => 'z'.repeat(this.int(100, 5000)),
      () => String(this.int(-1e9, 1e9)),
      () => this.bytes(this.int(1, 20)).toString('latin1'),
      () => '<script>alert(1)</script>',
      () => '${jndi:ldap://x}',
      () => 'http://127.0.0.1:1/x',
      () => 'ftp://x',
      () => '*',
      () => '2020-13-45T99:99:99Z',
    ])()
  }

  /** Any JSON value, nesting up to `depth`. */
  json(depth = 4): unknown {
    const leaf = () =>
      this.pick<() => unknown>([
        () => null,
        () => true,
        () => false,
        () => this.int(-5, 5),
        () => this.next() * 1e308,
        () => -0,
        () => 2 ** 53 + 1,
        () => this.string(),
      ])()
    if (depth <= 0 || this.chance(0.4)) return leaf()
    if (this.chance(0.5)) return Array.from({length: this.int(0, 4)}, () => this.json(depth - 1))
    const obj: Record<string, unknown> = {}
    for (let i = this.int(0, 4); i > 0; i--) obj[this.pick(KEYS)] = this.json(depth - 1)
    return obj
  }

  /** A request body: JSON, mutated JSON, deep nesting, binary, broken encodings. */
  body(template?: Record<string, unknown>): Buffer | undefined {
    return this.pick<() => Buffer | undefined>([
      () => undefined,
      () => Buffer.alloc(0),
      () => Buffer.from(JSON.stringify(this.json())),
      () => Buffer.from(JSON.stringify(this.mutate(template ?? {}))),
      () => Buffer.from(JSON.stringify(this.mutate(template ?? {}))),
      () => Buffer.from(JSON.stringify(this.mutate(template ?? {}))),
      () => {
        const d = this.pick([10, 63, 64, 65, 66, 129, 1000, 5000])
        const open = this.chance(0.5) ? '[' : '{"a":'
        const close = open === '[' ? ']' : '}'
        return Buffer.from(open.repeat(d) + '1' + close.repeat(d))
      },
      () => Buffer.from(JSON.stringify(this.json()).slice(0, -1)),
      () => this.bytes(this.int(1, 300)),
      () => Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('{"name":"bom"}')]),
      () => Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]), // {"\xc3(":1}: bad UTF-8
      () => Buffer.from('a=1&b=%zz&c=' + 'x'.repeat(this.int(0, 100))),
      () => Buffer.from('<?xml version="1.0"?><a>' + this.string() + '</a>'),
      () => Buffer.from(JSON.stringify({...template, [this.pick(KEYS)]: 'x'.repeat(this.int(1000, 50_000))})),
    ])()
  }

  /** A template with fields dropped, retyped or replaced. */
  mutate(template: Record<string, unknown>): unknown {
    const out: Record<string, unknown> = structuredClone(template)
    for (let i = this.int(0, 3); i > 0; i--) {
      const key = this.chance(0.7) && Object.keys(out).length ? this.pick(Object.keys(out)) : this.pick(KEYS)
      if (this.chance(0.3)) delete out[key]
      else out[key] = this.json(3)
    }
    return out
  }

  /** Something in an id's place: a real id, an unknown one, dots, broken escapes, noise. */
  id(real: readonly string[]): string {
    return this.pick<() => string>([
      () => this.pick(real),
      () => this.pick(real),
      () => '01JZZZZZZZZZZZZZZZZZZZZZZZ',
      () => '..',
      () => '.',
      () => '%2e%2e',
      () => '%2E.',
      () => '',
      () => '%2F',
      () => 'a%2Fb',
      () => '%zz',
      () => '%E0%A4%A',
      () => '%',
      () => '%00',
      () => '%C0%AE%C0%AE',
      () => pct(this.string()),
      () => 'x'.repeat(this.int(300, 9000)),
    ])()
  }

  /** A query string with Convoy's parameters and noise. */
  query(): string {
    if (this.chance(0.5)) return ''
    const names = [
      'perPage',
      'per_page',
      'sort',
      'direction',
      'next_page_cursor',
      'prev_page_cursor',
      'startDate',
      'endDate',
      'status',
      'endpointId',
      'sourceId',
      'source',
      'eventId',
      'event_type',
      'q',
      'ownerId',
      'idempotencyKey',
      'listener',
      'x',
    ]
    const parts: string[] = []
    for (let i = this.int(1, 4); i > 0; i--) {
      const value = this.pick([this.string(), '-1', '0', '1', '1001', 'ASC', 'next', 'prev', '%zz', '%', '2024-01-01'])
      parts.push(`${this.pick(names)}${this.chance(0.1) ? '[]' : ''}=${this.chance(0.8) ? pct(value) : value}`)
    }
    return '?' + parts.join('&')
  }
}

const KEYS = [
  'name',
  'url',
  'type',
  'config',
  'secret',
  'http_timeout',
  'rate_limit',
  'owner_id',
  'authentication',
  'endpoint_id',
  'source_id',
  'filter_config',
  'event_types',
  'filter',
  'verifier',
  'provider',
  'body_limit',
  'idempotency_keys',
  'event_type_location',
  'custom_response',
  'event_type',
  'data',
  'custom_headers',
  'idempotency_key',
  'ids',
  'target',
  'source',
  'expiration',
  'is_disabled',
  'strategy',
  '__proto__',
  'constructor',
  'toString',
  '',
]
