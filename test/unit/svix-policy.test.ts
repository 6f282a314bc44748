import {describe, expect, it} from 'vitest'

import {signJwt, verifyJwt} from '../../src/api/svix/jwt.js'
import {defaultProjectConfig} from '../../src/store/projects.js'
import {nextRetry, retryScheduleFor, SVIX_RETRY_SCHEDULE} from '../../src/delivery/retry-policy.js'

describe("Svix's retry schedule", () => {
  const strategy = {type: 'linear' as const, duration: 10, retryCount: 7, schedule: SVIX_RETRY_SCHEDULE}

  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (no jitter at random = 0.5), then gives up', () => {
    const delays = SVIX_RETRY_SCHEDULE.map((_, i) => {
      const d = nextRetry({strategy, attempt: i + 1, outcome: {kind: 'http', status: 500}, now: 0, random: () => 0.5})
      return d.action === 'retry' ? d.delayMs : null
    })
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000])
    expect(nextRetry({strategy, attempt: 8, outcome: {kind: 'http', status: 500}, now: 0}).action).toBe('fail')
  })

  it('jitters ±20 % and is not doubled for 503', () => {
    const low = nextRetry({strategy, attempt: 1, outcome: {kind: 'http', status: 503}, now: 0, random: () => 0})
    const high = nextRetry({strategy, attempt: 1, outcome: {kind: 'http', status: 503}, now: 0, random: () => 1})
    expect(low).toMatchObject({action: 'retry', delayMs: 4_000})
    expect(high).toMatchObject({action: 'retry', delayMs: 6_000})
  })

  it("applies to Svix apps' endpoints unless the project set its own strategy", () => {
    const project = {config: defaultProjectConfig()}
    expect(retryScheduleFor(project, {svix: {}})).toBe(SVIX_RETRY_SCHEDULE)
    expect(retryScheduleFor(project, {svix: null})).toBeUndefined()
    project.config.strategy = {type: 'exponential', duration: 10, retry_count: 10}
    expect(retryScheduleFor(project, {svix: {}})).toBeUndefined()
  })
})

describe('HS256 JWTs as svix-server issues them', () => {
  it('accepts its own signature, rejects another secret, alg none, expired and malformed tokens', () => {
    const token = signJwt({sub: 'org_1', iat: 1}, 's3cret')
    expect(verifyJwt(token, 's3cret')).toMatchObject({sub: 'org_1'})
    expect(verifyJwt(token, 'other')).toBeUndefined()
    const [, payload] = token.split('.')
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`
    expect(verifyJwt(none, 's3cret')).toBeUndefined()
    expect(verifyJwt(signJwt({sub: 'x', exp: 100}, 's3cret'), 's3cret', 200)).toBeUndefined()
    expect(verifyJwt(signJwt({sub: 'x', nbf: 300}, 's3cret'), 's3cret', 200)).toBeUndefined()
    expect(verifyJwt('not.a.jwt!', 's3cret')).toBeUndefined()
    expect(verifyJwt('onlyone', 's3cret')).toBeUndefined()
  })
})
