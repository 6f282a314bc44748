import {CaravanError, type ErrorCode} from '../errors.js'
import {GatewayClient} from './gateway-client.js'

/** A loopback gateway: the address `listen` and `server` would run a relay on. */
export function isLoopbackGateway(gateway: string): boolean {
  return /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?$/.test(gateway)
}

/**
 * The one diagnosis `status`, `server` and `listen` give when the relay's address answers
 * but no relay is there, so none of them sends the user to another that says the opposite.
 */
export function notARelay(gateway: string, detail: string | undefined, code: ErrorCode): CaravanError {
  const url = new URL(gateway)
  const port = Number(url.port || 80)
  const other = port === 65_535 ? port - 1 : port + 1
  const otherGateway = `http://${url.hostname}:${other}`
  return new CaravanError(
    code,
    `port ${port} on ${url.hostname} is used by something that is not a Caravan relay${detail ? ` (${gateway}/healthz: ${detail})` : ''}`,
    {
      hint: `stop it, or use another port: caravan server --port ${other}, or CARAVAN_GATEWAY=${otherGateway} (caravan listen --gateway ${otherGateway} starts its relay there)`,
    },
  )
}

/**
 * Who answers at a gateway address, found without sending any API key: a Caravan relay,
 * a Convoy server, something else that speaks HTTP, or nothing.
 */
export async function probeGateway(
  gateway: string,
): Promise<{owner: 'caravan' | 'convoy' | 'foreign' | 'nothing'; detail?: string}> {
  const health = await new GatewayClient(gateway, undefined).health()
  if (health.ok) return {owner: health.caravan ? 'caravan' : 'convoy'}
  if (health.foreign || /^HTTP \d+/.test(health.error ?? '')) return {owner: 'foreign', detail: health.error}
  return {owner: 'nothing', detail: health.error}
}

/**
 * `server` could not bind its port: say who holds it (a relay already running, or
 * something else) instead of a bare "in use".
 */
export async function explainPortInUse(error: unknown, host: string, port: number): Promise<never> {
  if (!(error instanceof CaravanError) || error.code !== 'CARAVAN_ERR_PORT_IN_USE' || port === 0) throw error
  const gateway = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`
  const {owner, detail} = await probeGateway(gateway)
  if (owner === 'caravan')
    throw new CaravanError(error.code, `a Caravan relay already runs on port ${port} (${gateway})`, {
      hint: `use it (caravan status shows it), or start another one: caravan server --port ${port === 65_535 ? port - 1 : port + 1}`,
    })
  if (owner === 'foreign' || owner === 'convoy') throw notARelay(gateway, detail, error.code)
  throw error
}
