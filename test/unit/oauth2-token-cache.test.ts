import {describe, expect, it} from 'vitest'

import {NO_EXPIRY_CACHE_MS, type OAuth2Config, TokenCache} from '../../src/delivery/oauth2.js'

const config: OAuth2Config = {
  url: 'https://auth.example/token',
  client_id: 'c',
  client_secret: 's',
  grant_type: 'client_credentials',
  authentication_type: 'shared_secret',
}

function setUp(body: (n: number) => unknown) {
  let now = 1_000_000
  let calls = 0
  const cache = new TokenCache(
    async () => ({status: 200, body: Buffer.from(JSON.stringify(body(++calls)))}),
    () => now,
  )
  return {cache, calls: () => calls, advance: (ms: number) => (now += ms)}
}

describe('the OAuth2 token cache', () => {
  it('reuses a token until shortly before it expires, then fetches a new one', async () => {
    const t = setUp((n) => ({access_token: `t${n}`, expires_in: 600}))
    expect((await t.cache.get(config)).accessToken).toBe('t1')
    t.advance(539_000)
    expect((await t.cache.get(config)).accessToken).toBe('t1')
    // Renewed a minute early (10% of 600 s): no request carries a token about to expire.
    t.advance(1_000)
    expect((await t.cache.get(config)).accessToken).toBe('t2')
    expect(t.calls()).toBe(2)
  })

  it('shares one fetch among concurrent requests, and keeps one token per configuration', async () => {
    const t = setUp((n) => ({access_token: `t${n}`, expires_in: 60}))
    const tokens = await Promise.all([t.cache.get(config), t.cache.get(config), t.cache.get(config)])
    expect(tokens.map((x) => x.accessToken)).toEqual(['t1', 't1', 't1'])
    expect((await t.cache.get({...config, client_id: 'other'})).accessToken).toBe('t2')
    expect(t.calls()).toBe(2)
  })

  it('keeps a token without expiry for a while, and does not cache failures', async () => {
    const t = setUp((n) => (n === 1 ? {nope: true} : {access_token: `t${n}`}))
    await expect(t.cache.get(config)).rejects.toThrow('oauth2 token: the token response has no access_token')
    expect((await t.cache.get(config)).accessToken).toBe('t2')
    t.advance(NO_EXPIRY_CACHE_MS * 0.9)
    expect((await t.cache.get(config)).accessToken).toBe('t3')
  })
})
