import {describe, expect, it} from 'vitest'

import {classifyAddress, parseAddress, parseSubnet} from '../../src/delivery/address-rules.js'
import {relayExposure, SsrfGuard} from '../../src/delivery/ssrf-guard.js'

describe('classifyAddress (what a public relay must not call)', () => {
  it.each([
    ['10.0.0.5', 'a private address', '10.0.0.0/8'],
    ['172.20.1.1', 'a private address', '172.16.0.0/12'],
    ['192.168.0.1', 'a private address', '192.168.0.0/16'],
    ['127.0.0.1', 'a loopback address', '127.0.0.0/8'],
    ['169.254.10.1', 'a link-local address', '169.254.0.0/16'],
    ['169.254.169.254', 'a cloud metadata address', '169.254.169.254/32'],
    ['100.100.100.200', 'a cloud metadata address', '100.100.100.200/32'],
    ['100.64.1.1', 'a carrier-grade NAT (CGNAT) address', '100.64.0.0/10'],
    ['0.0.0.0', 'an unspecified ("this network") address', '0.0.0.0/8'],
    ['::1', 'a loopback address', '::1/128'],
    ['::', 'an unspecified address', '::/128'],
    ['fd00:ec2::254', 'a unique-local (private) address', 'fc00::/7'],
    ['fe80::1%eth0', 'a link-local address', 'fe80::/10'],
    ['fec0::1', 'a site-local address', 'fec0::/10'],
    ['ff02::1', 'a multicast address', 'ff00::/8'],
    ['64:ff9b:1::5', 'a local-use NAT64 address', '64:ff9b:1::/48'],
  ])('%s is %s (%s)', (address, what, range) => {
    expect(classifyAddress(address)).toEqual({address, what, range})
  })

  it.each([
    // address, embedded IPv4, how it is carried
    ['::ffff:10.0.0.5', '10.0.0.5', 'IPv4-mapped IPv6 (::ffff:0:0/96)'],
    ['::ffff:a00:5', '10.0.0.5', 'IPv4-mapped IPv6 (::ffff:0:0/96)'],
    ['::ffff:0:7f00:1', '127.0.0.1', 'IPv4-translated IPv6 (::ffff:0:0:0/96)'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254', 'NAT64 (64:ff9b::/96)'],
    ['64:ff9b::10.1.2.3', '10.1.2.3', 'NAT64 (64:ff9b::/96)'],
    ['::127.0.0.1', '127.0.0.1', 'IPv4-compatible IPv6 (::/96)'],
    ['::c0a8:101', '192.168.1.1', 'IPv4-compatible IPv6 (::/96)'],
    ['2002:a00:5::1', '10.0.0.5', '6to4 (2002::/16)'],
    ['2002:7f00:1:1234::9', '127.0.0.1', '6to4 (2002::/16)'],
    // Teredo keeps the client address inverted: ~10.0.0.5 = f5ff:fffa
    ['2001:0:4136:e378:8000:63bf:f5ff:fffa', '10.0.0.5', 'Teredo (2001::/32)'],
  ])('%s carries %s and is judged by it', (address, v4, via) => {
    const refusal = classifyAddress(address)
    expect(refusal?.address).toBe(v4)
    expect(refusal?.via).toBe(via)
  })

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '64:ff9b::808:808',
    '2002:808:808::1',
    '::ffff:1.1.1.1',
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeNull()
  })

  it('an allowed subnet wins, matched against the embedded IPv4 too', () => {
    const allowed = [parseSubnet('10.0.0.0/8')]
    expect(classifyAddress('10.9.9.9', allowed)).toBeNull()
    expect(classifyAddress('64:ff9b::a00:5', allowed)).toBeNull()
    expect(classifyAddress('2002:a00:5::1', allowed)).toBeNull()
    expect(classifyAddress('192.168.0.1', allowed)?.range).toBe('192.168.0.0/16')
  })

  it('parses every IPv6 spelling to the same bytes, and refuses junk subnets', () => {
    expect(parseAddress('::ffff:127.0.0.1')).toEqual(parseAddress('::ffff:7f00:1'))
    expect(parseAddress('[0:0:0:0:0:ffff:7f00:1]')).toEqual(parseAddress('::ffff:7f00:1'))
    expect(parseAddress('example.com')).toBeNull()
    for (const bad of ['10.0.0.0/33', '10.0.0.0/8/8', 'fd00::/129', 'intranet', '10.0.0.0/x'])
      expect(() => parseSubnet(bad), bad).toThrow(/is not an IP subnet/)
  })
})

describe('relayExposure', () => {
  it('a public URL makes a loopback-bound relay public; so does any non-loopback bind', () => {
    expect(relayExposure('127.0.0.1', 'https://hooks.example.com')).toEqual({exposed: true, why: '--public-url'})
    expect(relayExposure('0.0.0.0')).toEqual({exposed: true, why: 'bound to 0.0.0.0'})
    expect(relayExposure('127.0.0.1').exposed).toBe(false)
    expect(relayExposure('::1').exposed).toBe(false)
  })
})

describe('SsrfGuard.refuseUrl (the check when an endpoint is saved)', () => {
  const guard = new SsrfGuard(true, {why: '--public-url'})
  it('names the rule, why the relay is public and the subnet that would allow it', () => {
    expect(guard.refuseUrl('http://10.0.0.5/hook')).toBe(
      '10.0.0.5 is a private address; this relay is public (--public-url); allow it with --allow-subnet 10.0.0.0/8',
    )
    expect(guard.refuseUrl('http://[64:ff9b::a9fe:a9fe]/latest')).toBe(
      '169.254.169.254 is a cloud metadata address (carried in 64:ff9b::a9fe:a9fe by NAT64 (64:ff9b::/96)); this relay is public (--public-url); allow it with --allow-subnet 169.254.169.254/32',
    )
    // WHATWG URL turns these spellings into 127.0.0.1 before the guard sees them.
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://LOCALHOST:3000/',
      'http://app.localhost/',
    ])
      expect(guard.refuseUrl(url), url).toMatch(/loopback/)
  })
  it('leaves names to delivery time, and says nothing with the guard off', () => {
    expect(guard.refuseUrl('https://hooks.example.com/in')).toBeNull()
    expect(guard.refuseUrl('https://8.8.8.8/in')).toBeNull()
    expect(new SsrfGuard(false).refuseUrl('http://10.0.0.5/')).toBeNull()
  })
})
