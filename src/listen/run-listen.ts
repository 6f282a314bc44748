import {hostname} from 'node:os'

import {GatewayClient} from '../client/gateway-client.js'
import {defaultDataDir} from '../config/paths.js'
import type {GatewaySettings} from '../config/settings.js'
import {CaravanError} from '../errors.js'
import {installLastResort} from '../relay/last-resort.js'
import {recordLocalProfile} from '../relay/local-profile.js'
import {type Relay, startRelay} from '../relay/relay.js'
import type {HelloFrame} from '../relay/stream-protocol.js'
import {getProject} from '../store/projects.js'
import {type AttemptRecord, DeliveryQueue} from './delivery-queue.js'
import {Forwarder} from './forwarder.js'
import {StreamClient} from './stream-client.js'

export interface ListenOptions {
  settings: GatewaySettings
  target: URL
  source: string
  eventTypes: string[]
  extraHeaders: Record<string, string>
  pathOverride?: string
  skipBacklog: boolean
  /** Listener identity; the same name resumes the same backlog. */
  name?: string
}

export interface ListenCallbacks {
  ready: (info: {ingestUrl: string; target: string; embedded: boolean; backlog: number; listenerId: string}) => void
  attempt: (record: AttemptRecord) => void
  status: (line: string) => void
}

export interface ListenHandle {
  ingestUrl: string
  stop: () => Promise<void>
  /** Resolves when listening ends for good (a fatal error rejects). */
  done: Promise<void>
}

function isLocal(gateway: string): boolean {
  return /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(gateway)
}

/** The relay to use: the one answering at the gateway, or one started in this process. */
async function ensureRelay(
  settings: GatewaySettings,
  status: (line: string) => void,
): Promise<{gateway: string; apiKey?: string; project?: string; relay?: Relay}> {
  const client = new GatewayClient(settings.gateway, settings.apiKey)
  const health = await client.health()
  if (health.ok) return {gateway: settings.gateway, apiKey: settings.apiKey, project: settings.project}
  if (!isLocal(settings.gateway)) {
    throw new CaravanError(
      'CARAVAN_ERR_GATEWAY_DOWN',
      `the gateway at ${settings.gateway} is not reachable (${health.error ?? 'unhealthy'})`,
      {hint: 'check --gateway, or drop it to use a local relay'},
    )
  }
  const url = new URL(settings.gateway)
  const port = Number(url.port || 80)
  const relay = await startRelay({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    dataDir: defaultDataDir(),
    log: status,
  }).catch((error: unknown) => {
    // Something that is not a relay holds the gateway port: `caravan server --port` is not the fix here.
    if (error instanceof CaravanError && error.code === 'CARAVAN_ERR_PORT_IN_USE') {
      throw new CaravanError(
        error.code,
        `${error.message} by something that is not a Caravan relay (${settings.gateway}/healthz: ${health.error ?? 'no relay answer'})`,
        {
          hint: `stop it, or run the relay on another port: caravan listen --gateway http://127.0.0.1:${port === 65_535 ? port - 1 : port + 1} ... (or set CARAVAN_GATEWAY)`,
        },
      )
    }
    throw error
  })
  await recordLocalProfile(relay)
  installLastResort(() => `caravan listen's embedded relay on ${relay.url} (data: ${relay.dataDir})`)
  const project = settings.project && getProject(relay.db, settings.project) ? settings.project : relay.defaultProjectId
  status(`started an embedded relay on ${relay.url} (data: ${relay.dataDir})`)
  return {gateway: relay.url, apiKey: relay.adminKey, project, relay}
}

/**
 * `caravan listen`: register a listener on a source, open its stream and forward every
 * event to the target in order, retrying while the app is down. Local or remote gateway,
 * same code: an embedded relay is just a gateway on loopback.
 */
export async function runListen(opts: ListenOptions, ui: ListenCallbacks): Promise<ListenHandle> {
  const {gateway, apiKey, project, relay} = await ensureRelay(opts.settings, ui.status)
  const stopRelay = async () => relay?.stop()
  try {
    if (!project)
      throw new CaravanError('CARAVAN_ERR_CONFIG', 'no project selected', {
        hint: 'pass --project <id> or set CARAVAN_PROJECT',
      })
    const client = new GatewayClient(gateway, apiKey)
    const name = opts.name ?? `${hostname()}:${opts.source}:${opts.target.host}${opts.target.pathname}`
    const registered = await client.data<{
      listener_id: string
      source: {url: string; name: string}
      stream_path: string
    }>('POST', `/api/v1/projects/${encodeURIComponent(project)}/listeners`, {
      body: {
        name,
        source: opts.source,
        target: opts.target.toString(),
        event_types: opts.eventTypes.length ? opts.eventTypes : ['*'],
      },
    })
    const wsUrl = gateway.replace(/^http/, 'ws') + registered.stream_path
    const forwarder = new Forwarder()
    const stream = new StreamClient({url: wsUrl, apiKey, skipBacklog: opts.skipBacklog})
    const queue = new DeliveryQueue({
      forwarder,
      target: opts.target,
      pathOverride: opts.pathOverride,
      extraHeaders: opts.extraHeaders,
      report: (frame) => {
        if (!stream.send(frame))
          ui.status(`result for ${frame.delivery_id} not sent (stream down); the gateway will offer the event again`)
      },
      onAttempt: ui.attempt,
      onWaiting: ui.status,
    })
    let announced = false
    let resolveDone!: () => void
    let rejectDone!: (error: unknown) => void
    const done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve
      rejectDone = reject
    })
    // A fatal stream error must reach `done` as a rejection (exit code and message), not
    // as a clean stop: settle `done` only once everything is shut down.
    const stop = async (error?: unknown) => {
      stream.close()
      queue.stop()
      await forwarder.close()
      await stopRelay()
      if (error) rejectDone(error)
      else resolveDone()
    }
    stream.on('hello', (hello: HelloFrame) => {
      if (announced) return
      announced = true
      ui.ready({
        ingestUrl: hello.source.url,
        target: opts.target.toString(),
        embedded: relay !== undefined,
        backlog: hello.backlog,
        listenerId: hello.listener_id,
      })
    })
    stream.on('event', (frame) => queue.push(frame))
    stream.on('status', (line) => ui.status(line))
    stream.on('fatal', (error) => void stop(error))
    stream.start()
    return {ingestUrl: registered.source.url, stop, done}
  } catch (error) {
    await stopRelay()
    throw error
  }
}
