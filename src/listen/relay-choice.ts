import {GatewayClient} from '../client/gateway-client.js'
import {isLoopbackGateway, notARelay} from '../client/port-owner.js'
import {defaultDataDir} from '../config/paths.js'
import type {GatewaySettings} from '../config/settings.js'
import {CaravanError} from '../errors.js'
import {installLastResort} from '../relay/last-resort.js'
import {recordLocalProfile} from '../relay/local-profile.js'
import {type Relay, startRelay} from '../relay/relay.js'
import {getProject} from '../store/projects.js'
import type {StreamClient} from './stream-client.js'

export interface RelayChoice {
  gateway: string
  apiKey?: string
  project?: string
  /** The relay this process runs (it stops with this listen). */
  relay?: Relay
  /** A Caravan relay answers there (not a Convoy server): its listener registry can be asked. */
  caravan: boolean
  /** A listen's relay this one joined: it may run the same relay when that listen stops. */
  takeOver?: {host: string; port: number; dataDir: string}
}

async function startEmbedded(host: string, port: number, dataDir: string, status: (line: string) => void) {
  const relay = await startRelay({host, port, dataDir, log: status, embedded: true})
  await recordLocalProfile(relay)
  installLastResort(() => `caravan listen's embedded relay on ${relay.url} (data: ${relay.dataDir})`)
  return relay
}

/**
 * The relay to use: the one answering at the gateway (found without sending any key), or
 * one started in this process when the gateway is a free loopback address.
 */
export async function ensureRelay(settings: GatewaySettings, status: (line: string) => void): Promise<RelayChoice> {
  const probe = await new GatewayClient(settings.gateway, undefined).health()
  const loopback = isLoopbackGateway(settings.gateway)
  const url = new URL(settings.gateway)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const port = Number(url.port || 80)
  const joined = (detail: Record<string, unknown> | undefined, caravan: boolean): RelayChoice => ({
    gateway: settings.gateway,
    caravan,
    apiKey: settings.apiKey,
    project: settings.project,
    takeOver:
      loopback && detail?.embedded === true && typeof detail.data_dir === 'string'
        ? {host, port, dataDir: detail.data_dir}
        : undefined,
  })
  if (probe.ok) return joined(probe.detail, probe.caravan)
  const answered = probe.foreign || /^HTTP \d+/.test(probe.error ?? '')
  if (answered) {
    if (loopback) throw notARelay(settings.gateway, probe.error, 'CARAVAN_ERR_PORT_IN_USE')
    throw new CaravanError(
      'CARAVAN_ERR_GATEWAY',
      `${settings.gateway} answers, but it is not a Caravan relay (${probe.error ?? 'unknown answer'})`,
      {hint: 'check --gateway / CARAVAN_GATEWAY, or drop it to use a local relay'},
    )
  }
  if (!loopback) {
    throw new CaravanError(
      'CARAVAN_ERR_GATEWAY_DOWN',
      `the gateway at ${settings.gateway} is not reachable (${probe.error ?? 'unhealthy'})`,
      {hint: 'check --gateway, or drop it to use a local relay'},
    )
  }
  let relay: Relay
  try {
    relay = await startEmbedded(host, port, defaultDataDir(), status)
  } catch (error) {
    if (!(error instanceof CaravanError) || error.code !== 'CARAVAN_ERR_PORT_IN_USE') throw error
    // Another listen may have started its relay a moment ago: join it rather than fail.
    const again = await new GatewayClient(settings.gateway, undefined).health()
    if (again.ok && again.caravan) return joined(again.detail, true)
    throw notARelay(settings.gateway, again.error ?? probe.error, 'CARAVAN_ERR_PORT_IN_USE')
  }
  const project = settings.project && getProject(relay.db, settings.project) ? settings.project : relay.defaultProjectId
  status(`started an embedded relay on ${relay.url} (data: ${relay.dataDir})`)
  // The key recorded for this relay, not one from another gateway's settings.
  return {gateway: relay.url, apiKey: relay.adminKey, project, relay, caravan: true}
}

/**
 * When the listen that runs the relay stops, run the same relay here (same port, same
 * store, so the same ingest URL): the first of the remaining listens to bind the port wins,
 * the others reconnect to it. The store may stay locked a moment while the old relay
 * closes: try again shortly.
 */
export function relayHandOver(
  takeOver: NonNullable<RelayChoice['takeOver']>,
  stream: StreamClient,
  status: (line: string) => void,
): {relay: () => Relay | undefined} {
  let relay: Relay | undefined
  let trying = false
  const attempt = async (triesLeft: number): Promise<void> => {
    try {
      relay = await startEmbedded(takeOver.host, takeOver.port, takeOver.dataDir, status)
      status(`the listen that ran the relay stopped; this one runs it now on ${relay.url} (data: ${relay.dataDir})`)
      stream.reconnectNow()
    } catch (error) {
      // Port taken: another listen (or a server) runs it now, and the stream finds it.
      if (error instanceof CaravanError && error.code === 'CARAVAN_ERR_PORT_IN_USE') return
      if (triesLeft > 0) {
        await new Promise((resolve) => setTimeout(resolve, 200))
        return attempt(triesLeft - 1)
      }
      status(`could not start the relay here: ${(error as Error).message}`)
    }
  }
  stream.on('unreachable', (code) => {
    if (relay || trying || code !== 'ECONNREFUSED') return
    trying = true
    void attempt(50).finally(() => (trying = false))
  })
  return {relay: () => relay}
}
