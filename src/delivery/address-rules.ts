import {isIP} from 'node:net'

/**
 * Which addresses a relay that others can reach must not call: a pure classifier over
 * address bytes, so every spelling of an address (dotted, hex, IPv4 inside IPv6) is
 * judged as the address it is.
 */

export type AddressBytes = Uint8Array

export interface Subnet {
  bytes: AddressBytes
  prefix: number
  text: string
}

export interface AddressRule {
  /** Human name used in messages: "a private address", "a cloud metadata address"... */
  what: string
  /** The range it falls in, e.g. 10.0.0.0/8: what --allow-subnet would need. */
  range: string
}

export interface Refusal extends AddressRule {
  /** The address judged (the embedded IPv4 one when `via` is set). */
  address: string
  /** How an IPv4 address was carried inside IPv6 (NAT64, 6to4...), if it was. */
  via?: string
}

/** Order matters: the first match names the rule (metadata before link-local). */
const V4_RULES: [string, string][] = [
  ['169.254.169.254/32', 'a cloud metadata address'],
  ['168.63.129.16/32', 'a cloud metadata address'], // Azure's wire server
  ['100.100.100.200/32', 'a cloud metadata address'], // Alibaba
  ['0.0.0.0/8', 'an unspecified ("this network") address'],
  ['10.0.0.0/8', 'a private address'],
  ['100.64.0.0/10', 'a carrier-grade NAT (CGNAT) address'],
  ['127.0.0.0/8', 'a loopback address'],
  ['169.254.0.0/16', 'a link-local address'],
  ['172.16.0.0/12', 'a private address'],
  ['192.0.0.0/24', 'an IETF protocol-assignment address'],
  ['192.0.2.0/24', 'a documentation address'],
  ['192.168.0.0/16', 'a private address'],
  ['198.18.0.0/15', 'a benchmarking address'],
  ['198.51.100.0/24', 'a documentation address'],
  ['203.0.113.0/24', 'a documentation address'],
  ['224.0.0.0/4', 'a multicast address'],
  ['240.0.0.0/4', 'a reserved address'],
]

const V6_RULES: [string, string][] = [
  ['::/128', 'an unspecified address'],
  ['::1/128', 'a loopback address'],
  ['64:ff9b:1::/48', 'a local-use NAT64 address'],
  ['100::/64', 'a discard-only address'],
  ['2001:db8::/32', 'a documentation address'],
  ['fc00::/7', 'a unique-local (private) address'],
  ['fe80::/10', 'a link-local address'],
  ['fec0::/10', 'a site-local address'],
  ['ff00::/8', 'a multicast address'],
]

/**
 * IPv6 ranges that carry an IPv4 address: the IPv4 one decides. `at` is the byte offset
 * of the IPv4 address; `xor` flips it (Teredo stores the client address inverted).
 */
const EMBEDDED_V4: {range: string; via: string; at: number; xor?: boolean}[] = [
  {range: '::ffff:0:0/96', via: 'IPv4-mapped IPv6', at: 12},
  {range: '::ffff:0:0:0/96', via: 'IPv4-translated IPv6', at: 12},
  {range: '64:ff9b::/96', via: 'NAT64', at: 12},
  {range: '::/96', via: 'IPv4-compatible IPv6', at: 12},
  {range: '2002::/16', via: '6to4', at: 2},
  {range: '2001::/32', via: 'Teredo', at: 12, xor: true},
]

/** Address text (IPv4 or IPv6, with or without brackets or a zone) to bytes; null if not an IP. */
export function parseAddress(text: string): AddressBytes | null {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  const family = isIP(address)
  if (family === 4) return Uint8Array.from(address.split('.').map(Number))
  if (family !== 6) return null
  let head = address
  let tailV4: number[] = []
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (dotted) {
    head = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1)
    tailV4 = dotted[2].split('.').map(Number)
  }
  const groupsWanted = 8 - tailV4.length / 2
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined]
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => Number.parseInt(g, 16)) : [])
  const l = parse(left)
  const r = parse(right)
  const groups = right === undefined ? l : [...l, ...Array(groupsWanted - l.length - r.length).fill(0), ...r]
  const bytes = new Uint8Array(16)
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8
    bytes[i * 2 + 1] = g & 0xff
  })
  bytes.set(tailV4, 12)
  return bytes
}

export function formatV4(bytes: AddressBytes, at = 0): string {
  return [...bytes.subarray(at, at + 4)].join('.')
}

/** `10.0.0.0/8`, `fd00::/8` or a bare address (a /32 or /128). Throws on anything else. */
export function parseSubnet(text: string): Subnet {
  const [net, prefixText, extra] = text.trim().split('/')
  const bytes = parseAddress(net)
  const max = bytes?.length === 4 ? 32 : 128
  const prefix = prefixText === undefined ? max : Number(prefixText)
  if (!bytes || extra !== undefined || !/^\d*$/.test(prefixText ?? '') || !(prefix >= 0 && prefix <= max))
    throw new RangeError(`"${text}" is not an IP subnet (e.g. 10.0.0.0/8)`)
  return {bytes, prefix, text: text.trim()}
}

export function inSubnet(bytes: AddressBytes, subnet: Subnet): boolean {
  if (bytes.length !== subnet.bytes.length) return false
  let bits = subnet.prefix
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff
    if ((bytes[i] & mask) !== (subnet.bytes[i] & mask)) return false
  }
  return true
}

const compile = (rules: [string, string][]) => rules.map(([range, what]) => ({subnet: parseSubnet(range), what}))
const V4 = compile(V4_RULES)
const V6 = compile(V6_RULES)
const EMBEDDED = EMBEDDED_V4.map((e) => ({...e, subnet: parseSubnet(e.range)}))

function ruleFor(bytes: AddressBytes): AddressRule | null {
  for (const {subnet, what} of bytes.length === 4 ? V4 : V6)
    if (inSubnet(bytes, subnet)) return {what, range: subnet.text}
  return null
}

/**
 * Why `address` must not be called by a public relay, or null when it is a public
 * address. `allowed` subnets (--allow-subnet) win, matched against the address and
 * against the IPv4 address it carries.
 */
export function classifyAddress(address: string, allowed: readonly Subnet[] = []): Refusal | null {
  const bytes = parseAddress(address)
  if (!bytes) return null
  const isAllowed = (b: AddressBytes) => allowed.some((s) => inSubnet(b, s))
  if (isAllowed(bytes)) return null
  if (bytes.length === 16) {
    // :: and ::1 sit inside ::/96 but are IPv6's own unspecified and loopback addresses.
    const own = ruleFor(bytes)
    if (own && (own.range === '::/128' || own.range === '::1/128')) return {...own, address}
    for (const e of EMBEDDED) {
      if (!inSubnet(bytes, e.subnet)) continue
      const v4 = bytes.slice(e.at, e.at + 4).map((b) => (e.xor ? b ^ 0xff : b))
      if (isAllowed(v4)) return null
      const rule = ruleFor(v4)
      return rule ? {...rule, address: formatV4(v4), via: `${e.via} (${e.range})`} : null
    }
  }
  const rule = ruleFor(bytes)
  return rule ? {...rule, address} : null
}

/** Names that mean this machine whatever DNS says (RFC 6761). */
export function isLocalhostName(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  return h === 'localhost' || h.endsWith('.localhost')
}
