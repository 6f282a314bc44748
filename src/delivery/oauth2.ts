import {createHash} from 'node:crypto'

import type {OAuth2Config} from '../store/types.js'

export type {OAuth2Config}

export interface OAuth2Token {
  accessToken: string
  tokenType: string
  /** Epoch ms; null when the server gave no expiry. */
  expiresAt: number | null
}

/** POSTs a form to the token URL (through the relay's guarded client) and answers status + body. */
export type TokenPost = (url: string, form: string) => Promise<{status: number; body: Buffer}>

export class OAuth2Error extends Error {
  constructor(message: string) {
    super(`oauth2 token: ${message}`)
    this.name = 'OAuth2Error'
  }
}

const UNIT_MS = {seconds: 1000, milliseconds: 1, minutes: 60_000, hours: 3_600_000} as const

/** A token without an expiry is used for this long before a new one is fetched. */
export const NO_EXPIRY_CACHE_MS = 5 * 60_000

function pick(json: Record<string, unknown>, path: string | undefined, fallback: string): unknown {
  return (path || fallback)
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as never)[k] : undefined), json)
}

/** One client-credentials token request. Errors say what the token server answered (never the secret). */
export async function requestToken(config: OAuth2Config, post: TokenPost, now = Date.now()): Promise<OAuth2Token> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: config.client_id,
    client_secret: config.client_secret,
  })
  if (config.scope) form.set('scope', config.scope)
  if (config.audience) form.set('audience', config.audience)
  let answer: {status: number; body: Buffer}
  try {
    answer = await post(config.url, form.toString())
  } catch (error) {
    throw new OAuth2Error(`request to the token URL failed: ${(error as Error).message}`)
  }
  const text = answer.body.toString('utf8')
  if (answer.status < 200 || answer.status >= 300)
    throw new OAuth2Error(`the token URL answered HTTP ${answer.status}: ${text.slice(0, 200)}`)
  let json: Record<string, unknown>
  try {
    json = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new OAuth2Error(`the token response is not JSON: ${text.slice(0, 200)}`)
  }
  const mapping = config.field_mapping ?? {}
  const accessToken = pick(json, mapping.access_token, 'access_token')
  if (typeof accessToken !== 'string' || accessToken === '')
    throw new OAuth2Error(`the token response has no ${mapping.access_token || 'access_token'}`)
  const tokenType = pick(json, mapping.token_type, 'token_type')
  const expiresIn = Number(pick(json, mapping.expires_in, 'expires_in'))
  const unit = UNIT_MS[config.expiry_time_unit || 'seconds']
  return {
    accessToken,
    tokenType: typeof tokenType === 'string' && tokenType ? tokenType : 'Bearer',
    expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? now + expiresIn * unit : null,
  }
}

/**
 * Tokens per endpoint configuration, reused until shortly before they expire; concurrent
 * deliveries share one fetch. A changed configuration (other client, URL, secret) gets its own token.
 */
export class TokenCache {
  private readonly tokens = new Map<string, {token: OAuth2Token; usableUntil: number}>()
  private readonly pending = new Map<string, Promise<OAuth2Token>>()

  constructor(
    private readonly post: TokenPost,
    private readonly now: () => number = Date.now,
  ) {}

  async get(config: OAuth2Config): Promise<OAuth2Token> {
    const key = createHash('sha256').update(JSON.stringify(config)).digest('hex')
    const cached = this.tokens.get(key)
    if (cached && this.now() < cached.usableUntil) return cached.token
    let fetching = this.pending.get(key)
    if (!fetching) {
      const started = this.now()
      fetching = requestToken(config, this.post, started)
        .then((token) => {
          // Renew a little early (10% of the lifetime, at most a minute) so no request carries a token that just expired.
          const lifetime = token.expiresAt === null ? NO_EXPIRY_CACHE_MS : token.expiresAt - started
          this.tokens.set(key, {token, usableUntil: started + lifetime - Math.min(60_000, lifetime / 10)})
          return token
        })
        .finally(() => this.pending.delete(key))
      this.pending.set(key, fetching)
    }
    return fetching
  }
}
