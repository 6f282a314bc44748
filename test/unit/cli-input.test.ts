import {describe, expect, it} from 'vitest'

import {runnableHint} from '../../src/cli/bin-name.js'
import {closest, editDistance} from '../../src/cli/suggest.js'
import {normalizeGateway} from '../../src/config/paths.js'
import {applyOverrides, parseOverride} from '../../src/ingest/sample-overrides.js'

describe('closest (did you mean)', () => {
  it('finds typos: a missing, extra, swapped or wrong letter', () => {
    const flags = ['forward', 'source', 'events', 'path', 'json']
    expect(closest('foward', flags)).toBe('forward')
    expect(closest('forwardd', flags)).toBe('forward')
    expect(closest('soruce', flags)).toBe('source')
    expect(closest('jsno', flags)).toBe('json')
    expect(editDistance('soruce', 'source')).toBe(1)
  })

  it('does not guess wildly', () => {
    expect(closest('zzzzzz', ['forward', 'source'])).toBeUndefined()
    expect(closest('x', [])).toBeUndefined()
  })
})

describe('runnableHint', () => {
  it('prints caravan as it was run: npx caravan under npx/npm exec', () => {
    const hint = 'start the local relay with: caravan server, then caravan status'
    expect(runnableHint(hint, {})).toBe(hint)
    const npx = {npm_command: 'exec', npm_lifecycle_script: "'caravan'"}
    expect(runnableHint(hint, npx)).toBe('start the local relay with: npx caravan server, then npx caravan status')
    expect(runnableHint('run npx caravan status', npx)).toBe('run npx caravan status')
    expect(runnableHint('see ~/.config/caravan/config.json', npx)).toBe('see ~/.config/caravan/config.json')
    // Run by another npx'd tool (npx vitest spawning caravan): caravan was not run through npx.
    expect(runnableHint(hint, {npm_command: 'exec', npm_lifecycle_script: "'vitest'"})).toBe(hint)
  })
})

describe('normalizeGateway', () => {
  it('takes a missing scheme as http:// and drops trailing slashes', () => {
    expect(normalizeGateway('localhost:5005')).toBe('http://localhost:5005')
    expect(normalizeGateway('127.0.0.1:5005/')).toBe('http://127.0.0.1:5005')
    expect(normalizeGateway('hooks.example.com')).toBe('http://hooks.example.com')
    expect(normalizeGateway('https://hooks.example.com/')).toBe('https://hooks.example.com')
  })

  it('names the flag or variable when the value is no gateway URL', () => {
    expect(() => normalizeGateway('http://')).toThrow('--gateway is not a gateway URL: "http://"')
    expect(() => normalizeGateway('https:', 'CARAVAN_GATEWAY')).toThrow('CARAVAN_GATEWAY is not a gateway URL')
    expect(() => normalizeGateway('ftp://x')).toThrow('--gateway must be an http:// or https:// URL')
  })
})

describe('trigger --override', () => {
  const body = Buffer.from(JSON.stringify({data: {object: {amount: 100, items: [{qty: 1}]}}, livemode: false}))
  const apply = (...overrides: string[]) => JSON.parse(applyOverrides(body, overrides).toString('utf8'))

  it('sets dot paths, list items and new keys; values are JSON when they parse, else strings', () => {
    const out = apply(
      'data.object.amount=2000',
      'data.object.items[0].qty=3',
      'data.object.items.0.sku=abc',
      'livemode=true',
      'data.object.metadata.order=42x',
      'note="quoted"',
    )
    expect(out.data.object.amount).toBe(2000)
    expect(out.data.object.items).toEqual([{qty: 3, sku: 'abc'}])
    expect(out.livemode).toBe(true)
    expect(out.data.object.metadata).toEqual({order: '42x'})
    expect(out.note).toBe('quoted')
  })

  it('refuses what it cannot do, naming the override', () => {
    expect(() => parseOverride('amount')).toThrow('--override must look like key=value (got "amount")')
    expect(() => apply('livemode.x=1')).toThrow('"livemode" is false, not an object')
    expect(() => apply('data.object.items.first=1')).toThrow('is a list; use an index')
    expect(() => apply('__proto__.polluted=1')).toThrow('cannot be set')
    expect(() => applyOverrides(Buffer.from('a=b'), ['a=c'])).toThrow('needs a JSON payload')
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('leaves the body untouched when there is nothing to override', () => {
    const raw = Buffer.from('{"a": 1}')
    expect(applyOverrides(raw, [])).toBe(raw)
  })
})
