import {describe, expect, it} from 'vitest'

import {Sender} from '../../src/delivery/sender.js'
import {guardedLookup, isLoopbackHost, SsrfGuard, TargetRefusedError} from '../../src/delivery/ssrf-guard.js'
import {startDeliveryRelay, startSink, tempDir} from '../helpers/delivery.js'

/** A resolver that answers from a table (no DNS) and remembers what it was asked. */
function fakeDns(table: Record<string, string[]>) {
  const asked: string[] = []
  const resolve = async (host: string) => {
    asked.push(host)
    const addresses = table[host]
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {code: 'ENOTFOUND'})
    return addresses.map((address) => ({address, family: address.includes(':') ? 6 : 4}))
  }
  return {resolve, asked}
}

const PRIVATE = [
  '0.0.0.0',
  '10.0.0.1',
  '10.255.255.255',
  '100.64.0.1',
  '127.0.0.1',
  '127.8.9.10',
  '169.254.169.254', // cloud metadata
  '172.16.0.1',
  '172.31.255.254',
  '192.0.0.8',
  '192.168.1.1',
  '198.18.0.1',
  '224.0.0.1',
  '255.255.255.255',
  '::',
  '::1',
  'fc00::1',
  'fd12:3456::1',
  'fe80::1',
  'ff02::1',
  // IPv4-mapped IPv6, dotted and hex (the form WHATWG URL normalises to)
  '::ffff:10.0.0.1',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::FFFF:A9FE:A9FE',
]
const PUBLIC = [
  '8.8.8.8',
  '93.184.216.34',
  '172.32.0.1',
  '100.128.0.1',
  '11.0.0.1',
  '2606:4700:4700::1111',
  '2001:4860:4860::8888',
  '::ffff:8.8.8.8',
]

describe('SsrfGuard', () => {
  it.each(PRIVATE)('blocks %s on a public relay', (address) => {
    expect(new SsrfGuard(true).blocks(address)).toBe(true)
  })

  it.each(PUBLIC)('allows the public address %s', (address) => {
    expect(new SsrfGuard(true).blocks(address)).toBe(false)
  })

  it('check() refuses private IP literals in URLs, including bracketed and mapped IPv6', async () => {
    const dns = fakeDns({})
    const guard = new SsrfGuard(true, {resolve: dns.resolve})
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://10.1.2.3/',
      'http://[::1]:3000/',
      'http://[::ffff:127.0.0.1]/',
      'http://[fd00::5]/',
      'https://169.254.169.254/latest/meta-data',
    ]) {
      await expect(guard.check(url), url).rejects.toThrow(TargetRefusedError)
    }
    await expect(guard.check('http://10.1.2.3/')).rejects.toThrow(
      'refused to send to 10.1.2.3: 10.1.2.3 is a private address; this relay is public (reachable by others); allow it with --allow-subnet 10.0.0.0/8',
    )
    await expect(guard.check('https://8.8.8.8/hook')).resolves.toBeUndefined()
    await expect(guard.check('https://[2606:4700:4700::1111]/hook')).resolves.toBeUndefined()
    // IP literals are not looked up.
    expect(dns.asked).toEqual([])
  })

  it('check() resolves names and refuses when any address is private', async () => {
    const dns = fakeDns({
      'hooks.example.com': ['93.184.216.34'],
      'internal.example.com': ['10.0.0.7'],
      'sneaky.example.com': ['93.184.216.34', '192.168.0.10'],
      'v6-internal.example.com': ['fd00::7'],
      localhost: ['127.0.0.1', '::1'],
    })
    const guard = new SsrfGuard(true, {resolve: dns.resolve})
    await expect(guard.check('https://hooks.example.com/in')).resolves.toBeUndefined()
    await expect(guard.check('https://internal.example.com/in')).rejects.toThrow(
      /^refused to send to internal\.example\.com: internal\.example\.com \(10\.0\.0\.7\) is a private address;/,
    )
    await expect(guard.check('https://sneaky.example.com/in')).rejects.toThrow(/192\.168\.0\.10/)
    await expect(guard.check('https://v6-internal.example.com/in')).rejects.toThrow(TargetRefusedError)
    await expect(guard.check('http://localhost:4000/in')).rejects.toThrow(TargetRefusedError)
    expect(dns.asked).toEqual([
      'hooks.example.com',
      'internal.example.com',
      'sneaky.example.com',
      'v6-internal.example.com',
      'localhost',
    ])
  })

  it('allow-listed subnets pass; everything else private stays blocked', async () => {
    const dns = fakeDns({'db.internal': ['10.20.30.40'], 'other.internal': ['192.168.5.5']})
    const guard = new SsrfGuard(true, {allowSubnets: ['10.0.0.0/8', 'fd00::/8', '192.168.7.7'], resolve: dns.resolve})
    expect(guard.blocks('10.1.2.3')).toBe(false)
    expect(guard.blocks('::ffff:10.1.2.3')).toBe(false)
    expect(guard.blocks('fd00::1')).toBe(false)
    expect(guard.blocks('192.168.7.7')).toBe(false) // a bare address is a /32
    expect(guard.blocks('192.168.7.8')).toBe(true)
    expect(guard.blocks('127.0.0.1')).toBe(true)
    expect(guard.blocks('fc00::1')).toBe(true)
    await expect(guard.check('http://db.internal:5000/')).resolves.toBeUndefined()
    await expect(guard.check('http://other.internal/')).rejects.toThrow(TargetRefusedError)
  })

  it('rejects an allow-list entry that is not a subnet', () => {
    expect(() => new SsrfGuard(true, {allowSubnets: ['intranet']})).toThrow(
      /--allow-subnet: "intranet" is not an IP subnet/,
    )
  })

  it('is off on a loopback relay: every target is allowed and nothing is resolved', async () => {
    const dns = fakeDns({})
    const guard = new SsrfGuard(false, {resolve: dns.resolve})
    await expect(guard.check('http://10.0.0.1/')).resolves.toBeUndefined()
    await expect(guard.check('http://127.0.0.1:9/')).resolves.toBeUndefined()
    await expect(guard.check('http://unresolvable.internal/')).resolves.toBeUndefined()
    expect(dns.asked).toEqual([])
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1'].map(isLoopbackHost)).toEqual([true, true, true, true])
    expect(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1'].map(isLoopbackHost)).toEqual([false, false, false, false])
  })
})

describe('guardedLookup (the connect-time check against DNS rebinding)', () => {
  const lookupWith = (guard: SsrfGuard, host: string, options: {all?: boolean; family?: number}) =>
    new Promise<{error: Error | null; address: unknown; family?: number}>((resolve) =>
      guardedLookup(guard)(host, options, (error, address, family) => resolve({error, address, family})),
    )

  it('refuses a name that resolves to a private address when the guard is on', async () => {
    const result = await lookupWith(new SsrfGuard(true), 'localhost', {all: true})
    expect(result.error).toBeInstanceOf(TargetRefusedError)
    expect(result.error?.message).toMatch(
      /^refused to connect to localhost: localhost \((127\.0\.0\.1|::1)\) is a loopback address; this relay is public \(reachable by others\); allow it with --allow-subnet (127\.0\.0\.0\/8|::1\/128)$/,
    )
  })

  it('passes addresses through when the guard is off or the subnet is allowed', async () => {
    const off = await lookupWith(new SsrfGuard(false), 'localhost', {all: true})
    expect(off.error).toBeNull()
    expect((off.address as {address: string}[]).map((a) => a.address)).toContain('127.0.0.1')
    const one = await lookupWith(new SsrfGuard(true, {allowSubnets: ['127.0.0.0/8', '::1/128']}), 'localhost', {
      family: 4,
    })
    expect(one.error).toBeNull()
    expect(one.address).toBe('127.0.0.1')
    expect(one.family).toBe(4)
  })

  it("the sender's connections use it: a name that passed the up-front check but connects to loopback is refused", async () => {
    const sink = await startSink()
    // DNS rebinding: the check before sending sees a public address, the connection would get 127.0.0.1.
    const dns = fakeDns({localhost: ['93.184.216.34']})
    const sender = new Sender(new SsrfGuard(true, {resolve: dns.resolve}))
    try {
      const result = await sender.send(
        {url: `http://localhost:${sink.port}/hook`, method: 'POST', headers: {}, body: Buffer.from('{}')},
        5000,
      )
      expect(dns.asked).toEqual(['localhost'])
      expect(result.outcome).toEqual({kind: 'network', code: 'REFUSED'})
      expect(result.error).toMatch(
        /^refused to connect to localhost: localhost \((127\.0\.0\.1|::1)\) is a loopback address;/,
      )
      expect(sink.requests).toHaveLength(0)
    } finally {
      await sender.close()
    }
  })
})

describe('SSRF guard in the relay', () => {
  /** Endpoints saved while the relay was loopback-only, then the relay restarted public. */
  async function savedThenPublic(urls: string[]) {
    const dataDir = await tempDir()
    const before = await startDeliveryRelay({dataDir})
    await before.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}})
    for (const url of urls) await before.endpoint({url})
    await before.stop()
    return startDeliveryRelay({dataDir, host: '0.0.0.0'})
  }

  it('a relay bound to all interfaces refuses to deliver to 127.0.0.1, with a clear error', async () => {
    const sink = await startSink()
    const r = await savedThenPublic([`${sink.url}/hook`])

    const delivery = await r.delivery(await r.broadcast({ssrf: true}))
    expect(delivery.status).toBe('Failure')
    expect(delivery.description).toBe('network error REFUSED, giving up after 1 attempt (retry_count 0)')
    const [attempt] = await r.attempts(delivery.uid)
    expect(attempt.error).toBe(
      'refused to send to 127.0.0.1: 127.0.0.1 is a loopback address; this relay is public (bound to 0.0.0.0); allow it with --allow-subnet 127.0.0.0/8',
    )
    expect(attempt.http_status).toBe('')
    expect(sink.requests).toHaveLength(0)
  })

  it('the hex form of an IPv4-mapped loopback address is refused too', async () => {
    const sink = await startSink()
    const r = await savedThenPublic([`http://[::ffff:127.0.0.1]:${sink.port}/hook`])
    const delivery = await r.delivery(await r.broadcast({ssrf: 'mapped'}))
    expect(delivery.status).toBe('Failure')
    const [attempt] = await r.attempts(delivery.uid)
    expect(attempt.error).toMatch(
      /^refused to send to ::ffff:7f00:1: 127\.0\.0\.1 is a loopback address \(carried in ::ffff:7f00:1 by IPv4-mapped IPv6 \(::ffff:0:0\/96\)\);/,
    )
    expect(sink.requests).toHaveLength(0)
  })

  it('with allowSubnets 127.0.0.0/8 the same relay delivers', async () => {
    const sink = await startSink()
    const r = await startDeliveryRelay({host: '0.0.0.0', allowSubnets: ['127.0.0.0/8']})
    await r.endpoint({url: `${sink.url}/hook`})
    const delivery = await r.delivery(await r.broadcast({ssrf: 'allowed'}))
    expect(delivery.status).toBe('Success')
    expect(sink.requests).toHaveLength(1)
    expect(sink.requests[0].body.toString()).toBe('{"ssrf":"allowed"}')
  })
})
