import {describe, expect, it} from 'vitest'

import {startDeliveryRelay, startSink, tempDir} from '../helpers/delivery.js'

/** The README's nginx set-up: bound to loopback, reachable by everyone through --public-url. */
const PUBLIC_URL = 'https://hooks.example.com'

describe('SSRF guard behind a proxy (--public-url)', () => {
  it('refuses private, loopback, metadata and NAT64 targets when an endpoint is created, changing nothing', async () => {
    const r = await startDeliveryRelay({host: '127.0.0.1', publicUrl: PUBLIC_URL})
    const count = () => (r.relay.db.prepare(`SELECT COUNT(*) AS n FROM endpoints`).get() as {n: number}).n
    const before = count()
    const cases: [string, string][] = [
      [
        'http://10.0.0.5/hook',
        'url: 10.0.0.5 is a private address; this relay is public (--public-url); allow it with --allow-subnet 10.0.0.0/8',
      ],
      [
        'http://169.254.169.254/latest/meta-data',
        'url: 169.254.169.254 is a cloud metadata address; this relay is public (--public-url); allow it with --allow-subnet 169.254.169.254/32',
      ],
      [
        'http://127.0.0.1:3000/',
        'url: 127.0.0.1 is a loopback address; this relay is public (--public-url); allow it with --allow-subnet 127.0.0.0/8',
      ],
      [
        'http://localhost:3000/',
        'url: localhost (127.0.0.1) is a loopback name; this relay is public (--public-url); allow it with --allow-subnet 127.0.0.0/8',
      ],
      [
        'http://100.64.0.9/',
        'url: 100.64.0.9 is a carrier-grade NAT (CGNAT) address; this relay is public (--public-url); allow it with --allow-subnet 100.64.0.0/10',
      ],
      [
        'http://[64:ff9b::a00:5]/',
        'url: 10.0.0.5 is a private address (carried in 64:ff9b::a00:5 by NAT64 (64:ff9b::/96)); this relay is public (--public-url); allow it with --allow-subnet 10.0.0.0/8',
      ],
      [
        'http://[fec0::1]/',
        'url: fec0::1 is a site-local address; this relay is public (--public-url); allow it with --allow-subnet fec0::/10',
      ],
    ]
    for (const [url, message] of cases) {
      const res = await r.api('POST', r.p('/endpoints'), {name: 'internal', url})
      expect(res.status, url).toBe(400)
      expect(res.json).toEqual({status: false, message})
    }
    const slack = await r.api('POST', r.p('/endpoints'), {
      name: 'x',
      url: 'https://8.8.8.8/hook',
      slack_webhook_url: 'http://192.168.1.1/',
    })
    expect(slack.status).toBe(400)
    expect(slack.json.message).toMatch(/^slack_webhook_url: 192\.168\.1\.1 is a private address;/)
    expect(count()).toBe(before)

    // Public literals pass; names are resolved (and judged) when delivering, not now.
    const created = await r.ok('POST', r.p('/endpoints'), {name: 'public', url: 'https://8.8.8.8/hook'})
    await r.ok('POST', r.p('/endpoints'), {name: 'named', url: 'https://hooks.example.net/in'})

    // An update to a private URL is refused the same way and leaves the endpoint as it was.
    const update = await r.api('PUT', r.p(`/endpoints/${created.uid}`), {url: 'http://192.168.0.10/'})
    expect(update.status).toBe(400)
    expect(update.json.message).toBe(
      'url: 192.168.0.10 is a private address; this relay is public (--public-url); allow it with --allow-subnet 192.168.0.0/16',
    )
    expect((await r.ok('GET', r.p(`/endpoints/${created.uid}`))).url).toBe('https://8.8.8.8/hook')
  })

  it('--allow-subnet is the way around it', async () => {
    const r = await startDeliveryRelay({host: '127.0.0.1', publicUrl: PUBLIC_URL, allowSubnets: ['10.0.0.0/8']})
    const res = await r.api('POST', r.p('/endpoints'), {name: 'internal', url: 'http://10.0.0.5/hook'})
    expect(res.status).toBe(201)
    expect((await r.api('POST', r.p('/endpoints'), {name: 'no', url: 'http://192.168.0.1/'})).status).toBe(400)
  })

  it('a loopback relay without --public-url allows localhost targets (the local dev loop)', async () => {
    const r = await startDeliveryRelay({host: '127.0.0.1'})
    expect((await r.api('POST', r.p('/endpoints'), {name: 'app', url: 'http://localhost:3000/'})).status).toBe(201)
  })

  it('an endpoint saved before the relay went behind a proxy is refused at delivery time', async () => {
    const sink = await startSink()
    const dataDir = await tempDir()
    const local = await startDeliveryRelay({dataDir})
    await local.configure({strategy: {type: 'linear', duration: 1, retry_count: 0}})
    await local.endpoint({url: `${sink.url}/hook`})
    await local.stop()

    const r = await startDeliveryRelay({dataDir, host: '127.0.0.1', publicUrl: PUBLIC_URL})
    const delivery = await r.delivery(await r.broadcast({behind: 'proxy'}))
    expect(delivery.status).toBe('Failure')
    const [attempt] = await r.attempts(delivery.uid)
    expect(attempt.error).toBe(
      'refused to send to 127.0.0.1: 127.0.0.1 is a loopback address; this relay is public (--public-url); allow it with --allow-subnet 127.0.0.0/8',
    )
    expect(sink.requests).toHaveLength(0)
  })
})
