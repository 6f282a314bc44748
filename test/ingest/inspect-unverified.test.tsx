import {render} from 'ink-testing-library'
import {describe, expect, it, onTestFinished} from 'vitest'

import {GatewayClient} from '../../src/client/gateway-client.js'
import {App} from '../../src/tui/App.js'
import {InspectorBackend} from '../../src/tui/backend.js'
import {startSink} from '../helpers/delivery.js'
import {createSource, rawRequest} from '../helpers/listen.js'
import {useRelay} from '../helpers/relay.js'

// Issue 10 items 7 and 8 in `caravan inspect`: r and e refuse a request that failed
// verification at ingest (nothing reaches the app, the editor never opens), and the details
// say when only the head of its body was kept.

const tick = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms))

async function showing(r: ReturnType<typeof render>, text: string): Promise<string> {
  const deadline = Date.now() + 3000
  for (;;) {
    const frame = r.lastFrame() ?? ''
    if (frame.includes(text)) return frame
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}"; last frame:\n${frame}`)
    await tick(15)
  }
}

describe('inspect on an unverified event', () => {
  it('r and e show a refusal and send nothing; details show the truncated body', async () => {
    const t = await useRelay()
    const source = await createSource(t, {name: 'gh', provider: 'github', verifier: {secret: 'gh-secret'}})
    const res = await rawRequest(source.url, {
      headers: {'content-type': 'text/plain', 'x-github-event': 'push', 'x-hub-signature-256': 'sha256=00'},
      body: 'x'.repeat(10_000),
    })
    expect(res.status).toBe(401)
    const sink = await startSink()
    const backend = new InspectorBackend(new GatewayClient(t.url, t.key), t.projectId, t.key)
    await backend.init()
    backend.listenerTarget = `${sink.url}/app`
    const edits: string[] = []
    const r = render(
      <App
        backend={backend}
        gateway={t.url}
        editText={(text) => {
          edits.push(text)
          return text
        }}
        onExit={() => undefined}
      />,
    )
    onTestFinished(() => r.unmount())
    await showing(r, 'push')
    await tick()
    // Pressed until handled: ink attaches its input handler in an effect after the first render.
    const refusal = 'not replayed: it failed signature verification at ingest and may be forged'
    for (let i = 0; i < 20 && !(r.lastFrame() ?? '').includes(refusal); i++) {
      r.stdin.write('r')
      await tick(50)
    }
    await showing(r, refusal)
    r.stdin.write('\r')
    await showing(r, '… body truncated: first 4096 of 10000 bytes kept (sha256 ')
    r.stdin.write('e')
    await tick(100)
    expect(r.lastFrame()).toContain('not replayed')
    expect(edits).toEqual([])
    expect(sink.requests).toHaveLength(0)
  })
})
