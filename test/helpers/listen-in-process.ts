import {onTestFinished} from 'vitest'

import type {AttemptRecord} from '../../src/listen/delivery-queue.js'
import {runListen} from '../../src/listen/run-listen.js'

/**
 * `runListen`, the service behind `caravan listen`, in this process, against any gateway
 * (an in-process test relay or a remote one): the quick way to be "the next listener" when
 * the CLI shell is not what a test is about. Resolves once it is ready; stopped after the test.
 */
export async function listenInProcess(
  g: {url: string; key: string; projectId: string},
  opts: {target: string; name: string; source?: string; skipBacklog?: boolean},
): Promise<{backlog: number; ingestUrl: string; attempts: AttemptRecord[]; status: string[]}> {
  const attempts: AttemptRecord[] = []
  const status: string[] = []
  let announce!: (backlog: number) => void
  const ready = new Promise<number>((resolve) => (announce = resolve))
  const handle = await runListen(
    {
      settings: {
        gateway: g.url,
        apiKey: g.key,
        project: g.projectId,
        origin: {gateway: 'flag', apiKey: 'flag', project: 'flag'},
        profile: 'test',
      },
      target: new URL(opts.target),
      source: opts.source ?? 'remote',
      eventTypes: [],
      extraHeaders: {},
      skipBacklog: opts.skipBacklog ?? false,
      name: opts.name,
    },
    {
      ready: (info) => announce(info.backlog),
      attempt: (record) => attempts.push(record),
      status: (line) => status.push(line),
    },
  )
  onTestFinished(() => handle.stop())
  return {backlog: await ready, ingestUrl: handle.ingestUrl, attempts, status}
}
