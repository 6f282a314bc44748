import {lookup} from 'node:dns/promises'
import {isIP} from 'node:net'

import {classifyAddress, isLocalhostName, parseSubnet, type Refusal, type Subnet} from './address-rules.js'

export {classifyAddress} from './address-rules.js'

export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/**
 * Whether others can reach this relay, and why: a public bind, or a public URL in front of
 * a loopback bind (the nginx set-up). Either way a key holder could make it call
 * internal addresses, so the guard is on.
 */
export function relayExposure(host: string, publicUrl?: string): {exposed: boolean; why: string} {
  if (publicUrl) return {exposed: true, why: '--public-url'}
  if (!isLoopbackHost(host)) return {exposed: true, why: `bound to ${host}`}
  return {exposed: false, why: `bound to ${host}`}
}

export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TargetRefusedError'
  }
}

export interface SsrfGuardOptions {
  allowSubnets?: readonly string[]
  /** Why the relay counts as public, for messages ("--public-url", "bound to 0.0.0.0"). */
  why?: string
  resolve?: (host: string) => Promise<{address: string; family: number}[]>
}

/**
 * Decides whether the relay may send to a URL. On a relay only this machine can reach,
 * everything is allowed: the point is delivering to localhost. On a relay others can
 * reach, private targets are refused (IP literals when an endpoint is saved, names after
 * DNS resolution at send and connect time) unless their subnet is allow-listed.
 */
export class SsrfGuard {
  private readonly allowed: Subnet[]
  private readonly why: string
  private readonly resolve: (host: string) => Promise<{address: string; family: number}[]>

  constructor(
    readonly enabled: boolean,
    opts: SsrfGuardOptions = {},
  ) {
    this.why = opts.why ?? 'reachable by others'
    this.resolve = opts.resolve ?? ((host) => lookup(host, {all: true}))
    this.allowed = (opts.allowSubnets ?? []).map((subnet) => {
      try {
        return parseSubnet(subnet)
      } catch (error) {
        throw new Error(`--allow-subnet: ${(error as Error).message}`)
      }
    })
  }

  /** Why `address` may not be called, or null when it may (always null with the guard off). */
  refusal(address: string): Refusal | null {
    return this.enabled ? classifyAddress(address, this.allowed) : null
  }

  blocks(address: string): boolean {
    return this.refusal(address) !== null
  }

  /** "10.0.0.5 is a private address; this relay is public (--public-url); allow it with ..." */
  explain(host: string, refusal: Refusal): string {
    const carried = refusal.via ? ` (carried in ${host} by ${refusal.via})` : ''
    const shown = refusal.via || host === refusal.address ? refusal.address : `${host} (${refusal.address})`
    return `${shown} is ${refusal.what}${carried}; this relay is public (${this.why}); allow it with --allow-subnet ${refusal.range}`
  }

  /**
   * The check made when an endpoint is saved: IP literals and localhost names only, as
   * other names may resolve differently at delivery time (checked then). Returns the
   * reason or null.
   */
  refuseUrl(url: string): string | null {
    if (!this.enabled) return null
    let host: string
    try {
      host = new URL(url).hostname.replace(/^\[|\]$/g, '')
    } catch {
      return null // the URL's own validation names that problem
    }
    if (isLocalhostName(host)) {
      const refusal = this.refusal('127.0.0.1')
      return refusal ? this.explain(host, {...refusal, what: 'a loopback name'}) : null
    }
    if (!isIP(host)) return null
    const refusal = this.refusal(host)
    return refusal ? this.explain(host, refusal) : null
  }

  /** Throws TargetRefusedError when the URL may not be called. */
  async check(url: string): Promise<void> {
    if (!this.enabled) return
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
    const addresses = isIP(host) ? [{address: host, family: isIP(host)}] : await this.resolve(host)
    for (const {address} of addresses) {
      const refusal = this.refusal(address)
      if (refusal) throw new TargetRefusedError(`refused to send to ${host}: ${this.explain(host, refusal)}`)
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
        for (const a of addresses) {
          const refusal = guard.refusal(a.address)
          if (refusal) {
            callback(
              new TargetRefusedError(`refused to connect to ${hostname}: ${guard.explain(hostname, refusal)}`),
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
