import {lookup} from 'node:dns/promises'
import {BlockList, isIP} from 'node:net'

/** Ranges a public relay must not be tricked into calling (RFC 1918, loopback, link-local, CGNAT, metadata...). */
const PRIVATE_V4 = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const
const PRIVATE_V6 = [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TargetRefusedError'
  }
}

/**
 * Decides whether the relay may send to a URL. On loopback (the default) everything is
 * allowed: the point is delivering to localhost. Bound publicly, private targets are
 * refused after DNS resolution unless their subnet is allow-listed.
 */
export class SsrfGuard {
  private readonly blocked = new BlockList()
  private readonly allowed = new BlockList()

  constructor(
    readonly enabled: boolean,
    allowSubnets: readonly string[] = [],
    private readonly resolve: (host: string) => Promise<{address: string; family: number}[]> = (host) =>
      lookup(host, {all: true}),
  ) {
    for (const [net, prefix] of PRIVATE_V4) this.blocked.addSubnet(net, prefix, 'ipv4')
    for (const [net, prefix] of PRIVATE_V6) this.blocked.addSubnet(net, prefix, 'ipv6')
    for (const subnet of allowSubnets) {
      const [net, prefixText] = subnet.split('/')
      const type = isIP(net) === 6 ? 'ipv6' : 'ipv4'
      if (!isIP(net)) throw new Error(`--allow-subnet: "${subnet}" is not an IP subnet (e.g. 10.0.0.0/8)`)
      const prefix = prefixText === undefined ? (type === 'ipv4' ? 32 : 128) : Number(prefixText)
      this.allowed.addSubnet(net, prefix, type)
    }
  }

  blocks(address: string): boolean {
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4'
    // IPv4-mapped IPv6 (::ffff:10.0.0.1) must be judged as the IPv4 address it is.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
    if (mapped) return this.blocks(mapped[1])
    return this.blocked.check(address, type) && !this.allowed.check(address, type)
  }

  /** Throws TargetRefusedError when the URL may not be called. */
  async check(url: string): Promise<void> {
    if (!this.enabled) return
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
    const addresses = isIP(host) ? [{address: host, family: isIP(host)}] : await this.resolve(host)
    for (const {address} of addresses) {
      if (this.blocks(address)) {
        throw new TargetRefusedError(
          `refused to send to ${host} (${address}): private/loopback addresses are blocked on a public relay; allow it with --allow-subnet`,
        )
      }
    }
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | {address: string; family: number}[],
  family?: number,
) => void

/**
 * A `lookup` for the HTTP agent's sockets that applies the guard at connect time, so a
 * name that resolved to a public address for check() cannot rebind to a private one.
 */
export function guardedLookup(guard: SsrfGuard) {
  return (hostname: string, options: {all?: boolean; family?: number}, callback: LookupCallback): void => {
    lookup(hostname, {family: options.family ?? 0, all: true})
      .then((addresses) => {
        if (guard.enabled) {
          const bad = addresses.find((a) => guard.blocks(a.address))
          if (bad) {
            callback(
              new TargetRefusedError(
                `refused to connect to ${hostname} (${bad.address}): private address on a public relay`,
              ),
              [],
            )
            return
          }
        }
        if (options.all) callback(null, addresses)
        else callback(null, addresses[0].address, addresses[0].family)
      })
      .catch((error: NodeJS.ErrnoException) => callback(error, []))
  }
}
