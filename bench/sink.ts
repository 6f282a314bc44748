import {createServer, type Server} from 'node:http'
import type {AddressInfo, Socket} from 'node:net'

/**
 * A plain node http server standing in for the user's app: it answers 200 at once and
 * notes when each request arrived. Requests are matched to the sender by `run` and `seq`
 * in the JSON body, which the relay passes through byte for byte on both paths.
 */
export interface Sink {
  url: string
  /** performance.now() of the first arrival of each `run:seq`. */
  arrivals: Map<string, number>
  /** Requests per run (duplicates included). */
  received(run: string): number
  duplicates: number
  /** Distinct `x-convoy-event-id` header values seen. */
  eventIds: Set<string>
  /** Requests per URL path (which endpoint of several a delivery was made to). */
  paths: Map<string, number>
  /** The `x-convoy-event-id` and URL path of the first arrival of each `run:seq`. */
  firsts: Map<string, {eventId: string | undefined; path: string}>
  /** While true, requests are held unanswered (a hanging endpoint) until release(). */
  holding: boolean
  /** Answer every held request now. */
  release(): void
  close(): Promise<void>
}

export const key = (run: string, seq: number) => `${run}:${seq}`

/** The body every benchmark request carries: small, JSON, with what the sink matches on. */
export function payload(run: string, seq: number): string {
  return JSON.stringify({
    run,
    seq,
    type: 'invoice.paid',
    data: {id: `in_${seq}`, amount: 1999, currency: 'usd', customer: 'cus_bench'},
  })
}

export interface SinkOptions {
  /** Answer each request this many ms after its body arrived (an app with a fixed cost). */
  delayMs?: number
}

export async function startSink(options: SinkOptions = {}): Promise<Sink> {
  const delayMs = options.delayMs ?? 0
  const arrivals = new Map<string, number>()
  const paths = new Map<string, number>()
  const firsts = new Map<string, {eventId: string | undefined; path: string}>()
  const perRun = new Map<string, number>()
  const eventIds = new Set<string>()
  const sockets = new Set<Socket>()
  let duplicates = 0
  const held: (() => void)[] = []
  const state = {holding: false}
  const server: Server = createServer((req, res) => {
    const at = performance.now()
    const eventId = req.headers['x-convoy-event-id']
    if (typeof eventId === 'string') eventIds.add(eventId)
    const path = req.url ?? ''
    paths.set(path, (paths.get(path) ?? 0) + 1)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {run?: string; seq?: number}
        if (typeof body.run === 'string' && typeof body.seq === 'number') {
          perRun.set(body.run, (perRun.get(body.run) ?? 0) + 1)
          const k = key(body.run, body.seq)
          if (arrivals.has(k)) duplicates++
          else {
            arrivals.set(k, at)
            firsts.set(k, {eventId: typeof eventId === 'string' ? eventId : undefined, path})
          }
        }
      } catch {
        // not one of ours; answered all the same
      }
      const answer = () => {
        res.writeHead(200, {'content-type': 'text/plain', 'content-length': 2})
        res.end('ok')
      }
      if (state.holding) held.push(answer)
      else if (delayMs > 0) setTimeout(answer, delayMs)
      else answer()
    })
  })
  server.keepAliveTimeout = 10_000
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    received: (run) => perRun.get(run) ?? 0,
    get duplicates() {
      return duplicates
    },
    eventIds,
    paths,
    firsts,
    get holding() {
      return state.holding
    },
    set holding(value: boolean) {
      state.holding = value
    },
    release: () => {
      for (const answer of held.splice(0)) answer()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
