import {hostname} from 'node:os'

import {GatewayClient} from '../client/gateway-client.js'
import type {GatewaySettings} from '../config/settings.js'
import {CaravanError} from '../errors.js'
import type {HelloFrame} from '../relay/stream-protocol.js'
import {discoverProject} from '../client/project-discovery.js'
import {LISTENER_PREFIX} from '../core/listeners.js'
import type {ListenerInfo} from '../relay/stream-server.js'
import {type AttemptRecord, DeliveryQueue} from './delivery-queue.js'
import {Forwarder} from './forwarder.js'
import {ensureRelay, relayHandOver} from './relay-choice.js'
import {StreamClient} from './stream-client.js'
import {forwardUrl} from './target.js'

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
  /** How long one forward to the app may take before it counts as failed (0: no limit). */
  forwardTimeoutMs?: number
  /** Forwards at once; 1 (default) keeps the order of arrival. */
  concurrency?: number
}

export const DEFAULT_FORWARD_TIMEOUT_MS = 30_000

/**
 * A second `caravan listen` with the same default name would take the first one's
 * listener over (and stop it): refuse clearly instead. An explicit --name still takes
 * over, so a listen that lost its connection can be restarted at once.
 */
async function refuseRunningTwin(client: GatewayClient, base: string, name: string): Promise<void> {
  const connected = (await client.data<ListenerInfo[]>('GET', `${base}/listeners`).catch(() => [])) ?? []
  const twin = connected.find((l) => l.name === `${LISTENER_PREFIX}${name}`)
  if (!twin) return
  throw new CaravanError(
    'CARAVAN_ERR_CONFIG',
    `another caravan listen already forwards source ${twin.source} to ${twin.target} (connected from ${twin.remote} since ${twin.connected_at}); its events already reach the app`,
    {hint: 'stop that one first, or run a second listener with its own name: caravan listen --name NAME ...'},
  )
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

/**
 * `caravan listen`: register a listener on a source, open its stream and forward every
 * event to the target in order, retrying while the app is down. Local or remote gateway,
 * same code: an embedded relay is just a gateway on loopback.
 */
export async function runListen(opts: ListenOptions, ui: ListenCallbacks): Promise<ListenHandle> {
  const choice = await ensureRelay(opts.settings, ui.status)
  const {gateway, apiKey, relay} = choice
  let handOver: ReturnType<typeof relayHandOver> | undefined
  const stopRelay = async () => {
    await relay?.stop()
    await handOver?.relay()?.stop()
  }
  try {
    const client = new GatewayClient(gateway, apiKey)
    // A gateway and key but no project (a fresh laptop): the key's or the gateway's own.
    const project = choice.project ?? (await discoverProject(client))
    const base = `/api/v1/projects/${encodeURIComponent(project)}`
    const name = opts.name ?? `${hostname()}:${opts.source}:${opts.target.host}${opts.target.pathname}`
    if (!opts.name && choice.caravan) await refuseRunningTwin(client, base, name)
    const registered = await client.data<{
      listener_id: string
      source: {url: string; name: string}
      stream_path: string
    }>('POST', `${base}/listeners`, {
      body: {
        name,
        source: opts.source,
        target: opts.target.toString(),
        event_types: opts.eventTypes.length ? opts.eventTypes : ['*'],
      },
    })
    if (choice.takeOver)
      ui.status(`using the relay another caravan listen runs on ${gateway}; this one takes it over if that one stops`)
    const forwardTimeoutMs = opts.forwardTimeoutMs ?? DEFAULT_FORWARD_TIMEOUT_MS
    const wsUrl = `${gateway.replace(/^http/, 'ws')}${registered.stream_path}${registered.stream_path.includes('?') ? '&' : '?'}forward_timeout_ms=${forwardTimeoutMs}`
    const forwarder = new Forwarder()
    const stream = new StreamClient({url: wsUrl, apiKey, skipBacklog: opts.skipBacklog})
    if (choice.takeOver) handOver = relayHandOver(choice.takeOver, stream, ui.status)
    const queue = new DeliveryQueue({
      forwarder,
      forwardTimeoutMs,
      concurrency: opts.concurrency,
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
        // Where events go: --path replaces the target's path.
        target: forwardUrl(opts.target, {path: '', query: ''}, opts.pathOverride),
        embedded: relay !== undefined || handOver?.relay() !== undefined,
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
