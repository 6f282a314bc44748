import {FLOW_COLUMNS, type FlowResult, flowRow, measureFlow} from '../flow.js'
import {type Harness, progress} from '../harness.js'
import type {Section} from '../report.js'
import {payload, startSink} from '../sink.js'
import type {Sizes} from './sizes.js'

export interface Baseline {
  serial: FlowResult
  concurrent: FlowResult
}

/**
 * The raw baseline: the same load generator posting the same bodies straight to the same
 * sink. Whatever the relay adds is measured against this.
 */
export async function runBaseline(h: Harness, sizes: Sizes): Promise<{section: Section; baseline: Baseline}> {
  return h.scope(async () => {
    const sink = await startSink()
    h.defer('close sink', () => sink.close())
    const C = h.options.concurrency
    const flow = (run: string, count: number, concurrency: number) =>
      measureFlow({
        run,
        sink,
        origin: sink.url,
        count,
        concurrency,
        settleTimeoutMs: 10_000,
        build: (seq) => ({
          method: 'POST',
          path: '/hook',
          headers: {'content-type': 'application/json'},
          body: payload(run, seq),
        }),
      })
    progress(`raw baseline: warm-up, then ${sizes.serial} requests at C=1 and ${sizes.baseline} at C=${C}`)
    // Enough requests for the JIT to settle, else the first figures measure compilation.
    await flow('warmup', 5000, C)
    const serial = await flow('serial', sizes.serial, 1)
    const concurrent = await flow('concurrent', sizes.baseline, C)
    const section: Section = {
      id: 'baseline',
      title: '1. Raw baseline: undici client -> plain node http sink (loopback)',
      columns: FLOW_COLUMNS.filter((c) => c.key !== 'all_success_s'),
      rows: [
        flowRow('raw sink, C=1', serial, undefined, true),
        flowRow(`raw sink, C=${C}`, concurrent, undefined, true),
      ],
      notes: [
        "acks = the sink's HTTP response; e2e = send -> sink has the request headers (same process, performance.now()).",
        `client, sink (and in later sections the relay) share one Node process and event loop; "loop max" is the longest event-loop stall seen.`,
        ...serial.problems,
        ...concurrent.problems,
      ],
      facts: {serial: serial.facts, concurrent: concurrent.facts},
    }
    return {section, baseline: {serial, concurrent}}
  })
}
