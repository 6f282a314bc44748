import {type ChildProcess, spawn} from 'node:child_process'
import {createInterface} from 'node:readline'

import {afterEach, describe, expect, it} from 'vitest'

import {assertBuilt, BIN, makeSandbox, ROOT, type Sandbox} from '../helpers/cli.js'
import {startSink, waitFor} from '../helpers/delivery.js'

const KEY = 'crash-test-admin-key'

interface Spawned {
  child: ChildProcess
  url: string
  projectId: string
}

/** `caravan server --port 0 --json` as a child we can SIGKILL. */
function spawnServer(sandbox: Sandbox): Promise<Spawned> {
  assertBuilt()
  const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--json', '--api-key', KEY], {
    cwd: ROOT,
    env: {...process.env, ...sandbox.env, NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('relay did not start within 20 s')), 20_000)
    child.once('exit', (code) => reject(new Error(`relay exited early with ${code}`)))
    createInterface({input: child.stdout!}).once('line', (line) => {
      clearTimeout(timer)
      const info = JSON.parse(line) as {url: string; project_id: string}
      resolve({child, url: info.url, projectId: info.project_id})
    })
  })
}

const children: ChildProcess[] = []
const sandboxes: Sandbox[] = []
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL')
  for (const s of sandboxes.splice(0)) s.cleanup()
})

async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {authorization: `Bearer ${KEY}`, 'content-type': 'application/json'},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return {status: res.status, json: (await res.json()) as {data: {uid: string}}}
}

describe('crash safety', () => {
  it(
    'every acknowledged event is delivered after the relay is killed with SIGKILL mid-flow',
    {timeout: 90_000},
    async () => {
      const sandbox = makeSandbox('caravan-crash-')
      sandboxes.push(sandbox)
      const sink = await startSink()
      const first = await spawnServer(sandbox)
      children.push(first.child)
      const p = `/api/v1/projects/${first.projectId}`
      const endpoint = await api(first.url, 'POST', `${p}/endpoints`, {name: 'sink', url: sink.url})
      await api(first.url, 'POST', `${p}/subscriptions`, {name: 'all', endpoint_id: endpoint.json.data.uid})

      // Events flow from 8 concurrent senders; the relay is killed while they are in flight.
      const acked: string[] = []
      let stop = false
      const sender = async (n: number) => {
        for (let i = 0; !stop; i++) {
          try {
            const res = await api(first.url, 'POST', `${p}/events/broadcast`, {
              event_type: 'crash.test',
              data: {sender: n, i},
            })
            if (res.status === 201) acked.push(res.json.data.uid)
          } catch {
            return // the relay is gone: this request was never acknowledged
          }
        }
      }
      const senders = Array.from({length: 8}, (_, n) => sender(n))
      await waitFor(() => acked.length >= 150, {timeoutMs: 30_000, what: '150 acknowledged events'})
      const exited = new Promise((resolve) => first.child.once('exit', resolve))
      first.child.kill('SIGKILL')
      stop = true
      await exited
      await Promise.all(senders)

      // Restart on the same data dir: the store recovers and the dispatcher finishes the job.
      const second = await spawnServer(sandbox)
      children.push(second.child)
      const delivered = () => new Set(sink.requests.map((r) => String(r.headers['x-convoy-event-id'])))
      await waitFor(() => acked.every((id) => delivered().has(id)), {
        timeoutMs: 45_000,
        what: () =>
          `${acked.filter((id) => !delivered().has(id)).length} of ${acked.length} acknowledged events to arrive`,
      })
      expect(acked.length).toBeGreaterThanOrEqual(150)
      // Nothing acknowledged is missing from the store either.
      for (const id of acked.slice(0, 20)) expect((await api(second.url, 'GET', `${p}/events/${id}`)).status).toBe(200)
    },
  )
})
