import {onTestFinished} from 'vitest'

import {runListen} from '../../src/listen/run-listen.js'
import type {TestRelay} from './relay.js'

/**
 * A `caravan listen` for `source` running in this process (the same runListen the command
 * uses), forwarding to `target`; resolves once it is ready, stops when the test finishes.
 */
export async function listenInProcess(t: TestRelay, source: string, target: string): Promise<void> {
  let ready!: () => void
  const started = new Promise<void>((resolve) => (ready = resolve))
  const handle = await runListen(
    {
      settings: {
        gateway: t.url,
        apiKey: t.key,
        project: t.projectId,
        origin: {gateway: 'flag', apiKey: 'flag', project: 'flag'},
        profile: 'test',
      },
      target: new URL(target),
      source,
      eventTypes: [],
      extraHeaders: {},
      skipBacklog: true,
      name: 'laptop',
    },
    {ready: () => ready(), attempt: () => undefined, status: () => undefined},
  )
  onTestFinished(() => handle.stop())
  await started
}
