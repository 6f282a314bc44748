import {createHmac, timingSafeEqual} from 'node:crypto'

/** What a valid token says: svix-server puts the organisation (our project) in `sub`. */
export interface SvixClaims {
  sub?: string
  exp?: number
  nbf?: number
  [claim: string]: unknown
}

const b64url = (buffer: Buffer): string => buffer.toString('base64url')

/**
 * An HS256 JWT as svix-server issues and checks them, or undefined when `token` is not one
 * signed with `secret` (or is expired / not yet valid). Only HS256 is accepted: the
 * header's `alg` is checked, never trusted to pick the algorithm.
 */
export function verifyJwt(token: string, secret: string, nowSeconds = Date.now() / 1000): SvixClaims | undefined {
  const parts = token.split('.')
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as {alg?: unknown}
    if (header.alg !== 'HS256') return undefined
    const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest()
    const given = Buffer.from(parts[2], 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as SvixClaims
    if (claims === null || typeof claims !== 'object') return undefined
    if (typeof claims.exp === 'number' && nowSeconds >= claims.exp) return undefined
    if (typeof claims.nbf === 'number' && nowSeconds < claims.nbf) return undefined
    return claims
  } catch {
    return undefined
  }
}

/** An HS256 JWT for `sub` (what `svix-server jwt generate` prints), for tests and docs. */
export function signJwt(claims: SvixClaims, secret: string): string {
  const header = b64url(Buffer.from(JSON.stringify({typ: 'JWT', alg: 'HS256'})))
  const payload = b64url(Buffer.from(JSON.stringify(claims)))
  const signature = b64url(createHmac('sha256', secret).update(`${header}.${payload}`).digest())
  return `${header}.${payload}.${signature}`
}
