import {describe, expect, it} from 'vitest'

import {matchesEventType, validateEventTypePattern} from '../../src/routing/event-type.js'

describe('matchesEventType', () => {
  it('matches everything with an empty list, as Convoy defaults to ["*"]', () => {
    expect(matchesEventType([], 'invoice.paid')).toBe(true)
    expect(matchesEventType([], '')).toBe(true)
  })

  it('matches everything with a lone *', () => {
    expect(matchesEventType(['*'], 'invoice.paid')).toBe(true)
    expect(matchesEventType(['*'], 'x')).toBe(true)
    expect(matchesEventType(['*'], '')).toBe(true)
  })

  it('matches literal patterns exactly and case-sensitively', () => {
    expect(matchesEventType(['invoice.paid'], 'invoice.paid')).toBe(true)
    expect(matchesEventType(['invoice.paid'], 'Invoice.paid')).toBe(false)
    expect(matchesEventType(['invoice.paid'], 'invoice.paid.late')).toBe(false)
    expect(matchesEventType(['invoice.paid'], 'xinvoice.paid')).toBe(false)
    expect(matchesEventType(['invoice.paid'], 'invoice')).toBe(false)
  })

  it('treats a trailing * as any suffix, across dots', () => {
    expect(matchesEventType(['invoice.*'], 'invoice.paid')).toBe(true)
    expect(matchesEventType(['invoice.*'], 'invoice.payment.failed')).toBe(true)
    expect(matchesEventType(['invoice.*'], 'invoice')).toBe(false)
    expect(matchesEventType(['invoice.*'], 'invoices.paid')).toBe(false)
    expect(matchesEventType(['invoice.*'], 'user.invoice.paid')).toBe(false)
  })

  it('treats a leading * as any prefix', () => {
    expect(matchesEventType(['*.created'], 'user.created')).toBe(true)
    expect(matchesEventType(['*.created'], 'org.team.created')).toBe(true)
    expect(matchesEventType(['*.created'], 'user.created.late')).toBe(false)
    expect(matchesEventType(['*.created'], 'user.deleted')).toBe(false)
  })

  it('lets * match an empty run of characters', () => {
    expect(matchesEventType(['invoice.*'], 'invoice.')).toBe(true)
    expect(matchesEventType(['a*b'], 'ab')).toBe(true)
  })

  it('supports * in the middle and several * in one pattern', () => {
    expect(matchesEventType(['user.*.created'], 'user.admin.created')).toBe(true)
    expect(matchesEventType(['user.*.created'], 'user.a.b.created')).toBe(true)
    expect(matchesEventType(['user.*.created'], 'user.created')).toBe(false)
    expect(matchesEventType(['*.payment.*'], 'invoice.payment.failed')).toBe(true)
    expect(matchesEventType(['*.payment.*'], 'invoice.paid')).toBe(false)
    expect(matchesEventType(['a*b*c'], 'aXbYc')).toBe(true)
    expect(matchesEventType(['a*b*c'], 'acb')).toBe(false)
    expect(matchesEventType(['**'], 'anything')).toBe(true)
  })

  it('does not let a middle part overlap the suffix', () => {
    expect(matchesEventType(['a*ab'], 'ab')).toBe(false)
    expect(matchesEventType(['a*ab*b'], 'aab')).toBe(false)
    expect(matchesEventType(['ab*ba'], 'aba')).toBe(false)
    expect(matchesEventType(['ab*ba'], 'abba')).toBe(true)
  })

  it('finds a match that needs a later occurrence of a middle part', () => {
    expect(matchesEventType(['*.x.*.y'], 'a.x.b.x.c.y')).toBe(true)
    expect(matchesEventType(['*a*ab'], 'aaab')).toBe(true)
  })

  it('treats regular expression characters literally', () => {
    expect(matchesEventType(['invoice.paid'], 'invoiceXpaid')).toBe(false)
    expect(matchesEventType(['a+b'], 'aab')).toBe(false)
    expect(matchesEventType(['a+b'], 'a+b')).toBe(true)
    expect(matchesEventType(['(x|y)'], 'x')).toBe(false)
    expect(matchesEventType(['(x|y)'], '(x|y)')).toBe(true)
    expect(matchesEventType(['[a-z]?.*'], 'a.b')).toBe(false)
    expect(matchesEventType(['[a-z]?.*'], '[a-z]?.b')).toBe(true)
    expect(matchesEventType(['^$\\'], '^$\\')).toBe(true)
  })

  it('matches when any pattern in the list matches', () => {
    const patterns = ['invoice.paid', 'user.*']
    expect(matchesEventType(patterns, 'invoice.paid')).toBe(true)
    expect(matchesEventType(patterns, 'user.deleted')).toBe(true)
    expect(matchesEventType(patterns, 'invoice.voided')).toBe(false)
  })

  it('stays fast on patterns with many stars', () => {
    const started = performance.now()
    expect(matchesEventType(['*a*a*a*a*a*a*a*a*a*a*b'], 'a'.repeat(5_000))).toBe(false)
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

describe('validateEventTypePattern', () => {
  it('accepts ordinary patterns', () => {
    expect(validateEventTypePattern('*')).toBeNull()
    expect(validateEventTypePattern('invoice.paid')).toBeNull()
    expect(validateEventTypePattern('invoice.*')).toBeNull()
    expect(validateEventTypePattern('a+b(c)')).toBeNull()
  })

  it('rejects the empty string', () => {
    expect(validateEventTypePattern('')).toBe('event type pattern must not be empty')
  })

  it('rejects whitespace anywhere, naming the pattern', () => {
    expect(validateEventTypePattern(' ')).toBe('event type pattern " " must not contain whitespace')
    expect(validateEventTypePattern('invoice paid')).toBe(
      'event type pattern "invoice paid" must not contain whitespace',
    )
    expect(validateEventTypePattern(' invoice.paid')).not.toBeNull()
    expect(validateEventTypePattern('invoice.paid\n')).toBe(
      'event type pattern "invoice.paid\\n" must not contain whitespace',
    )
    expect(validateEventTypePattern('a\tb')).not.toBeNull()
  })
})
