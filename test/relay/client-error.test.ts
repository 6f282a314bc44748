import {describe, expect, it} from 'vitest'

import {createSource, eventsOf} from '../helpers/listen.js'
import {rawExchange, statusOf} from '../helpers/raw-http.js'
import {useRelay} from '../helpers/relay.js'

/** Status lines in what came back, in order. */
const statuses = (answer: string) => [...answer.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))

describe('bytes the HTTP parser cannot read (clientError)', () => {
  it('a webhook pipelined ahead of garbage gets its own answer, not a 400, and is stored once', async () => {
    const t = await useRelay({deliver: false})
    const source = await createSource(t, {name: 'pipelined'})
    const path = new URL(source.url).pathname
    const body = '{"stored":true}'
    const post = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
    const answer = await rawExchange(t.relay.port, `${post}\r\n\r\nhello garbage\r\n\r\n`)
    expect(statuses(answer), answer).toEqual([200])
    expect(answer).toMatch(/connection: close/i)
    const get = `GET ${path}?x=1 HTTP/1.1\r\nHost: x\r\n\r\n`
    expect(statuses(await rawExchange(t.relay.port, `${get}\r\n\r\nhello`))).toEqual([200])

    const stored = await eventsOf(t, source.uid)
    expect(stored).toHaveLength(2)
  })

  it('garbage alone is a 400 and a closed connection, an oversized head a 431; the relay keeps serving', async () => {
    const t = await useRelay({deliver: false})
    const garbage = await rawExchange(t.relay.port, 'hello garbage\r\n\r\n')
    expect(statuses(garbage)).toEqual([400])
    const huge = await rawExchange(
      t.relay.port,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    )
    expect(statuses(huge)).toEqual([431])
    const health = await rawExchange(t.relay.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    expect(statusOf(health)).toBe(200)
  })
})
