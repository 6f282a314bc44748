/** Request counts per mode: bounded, sized so the full run stays near two minutes. */
export interface Sizes {
  /** Single-request-in-flight rows (latency without queueing). */
  serial: number
  /** The concurrent rows (throughput). */
  baseline: number
  outbound: number
  inbound: number
  warmup: number
  storeEvents: number
  queryRuns: number
  cliRuns: number
}

export function sizesFor(quick: boolean): Sizes {
  return quick
    ? {
        serial: 100,
        baseline: 8000,
        outbound: 500,
        inbound: 400,
        warmup: 50,
        storeEvents: 100_000,
        queryRuns: 20,
        cliRuns: 3,
      }
    : {
        serial: 300,
        baseline: 20_000,
        outbound: 2000,
        inbound: 1500,
        warmup: 200,
        storeEvents: 1_000_000,
        queryRuns: 20,
        cliRuns: 7,
      }
}
