/**
 * Request counts per mode: bounded, sized so the full run stays near three minutes and
 * --quick (which CI runs, only to see that it runs) well under a minute on 2 busy cores.
 */
export interface Sizes {
  /** Single-request-in-flight rows (latency without queueing). */
  serial: number
  /** The concurrent rows (throughput). */
  baseline: number
  outbound: number
  /** Events spread over 100 endpoints (a multiple of 100). */
  spread: number
  inbound: number
  warmup: number
  /** Events closed-loop at C=50 in the ack section. */
  ackClosed: number
  /** Events offered open-loop at openRate per second in the ack section. */
  openCount: number
  openRate: number
  storeEvents: number
  /** Events stored through the relay for the store-size section. */
  sizeEvents: number
  queryRuns: number
  cliRuns: number
  /** Runs of each case in a pseudo-terminal (inspect section). */
  inspectRuns: number
  /** Deliveries waiting for one endpoint in the backlog section. */
  backlog: number
  /** Events to the healthy endpoint, open-loop at healthyRate per second. */
  healthy: number
  healthyRate: number
  idleSeconds: number
  drainTimeoutMs: number
}

export function sizesFor(quick: boolean): Sizes {
  return quick
    ? {
        serial: 100,
        baseline: 5000,
        outbound: 500,
        spread: 500,
        inbound: 400,
        warmup: 50,
        ackClosed: 1000,
        openCount: 1000,
        openRate: 1000,
        storeEvents: 50_000,
        sizeEvents: 1000,
        queryRuns: 20,
        cliRuns: 3,
        inspectRuns: 1,
        backlog: 5000,
        healthy: 60,
        healthyRate: 100,
        idleSeconds: 2,
        drainTimeoutMs: 30_000,
      }
    : {
        serial: 300,
        baseline: 20_000,
        outbound: 2000,
        spread: 3000,
        inbound: 1500,
        warmup: 200,
        ackClosed: 4000,
        openCount: 10_000,
        openRate: 2000,
        storeEvents: 1_000_000,
        sizeEvents: 5000,
        queryRuns: 20,
        cliRuns: 7,
        inspectRuns: 5,
        backlog: 100_000,
        // 10 s per phase: a p99 of 1,000 latencies, not the 3rd-highest of 300.
        healthy: 1000,
        healthyRate: 100,
        idleSeconds: 10,
        drainTimeoutMs: 180_000,
      }
}
