// The browser's credential: handed over in the URL fragment (`#key=…`, never sent to a
// server or written to its logs), kept in sessionStorage for this tab only, and removed
// from the address bar at once. No cookies: every API call carries it as a Bearer header.

const STORAGE = 'caravan.key'

/** Take `#key=` from the address bar (and drop it there); else the key this tab already holds. */
export function takeKey(storageName = STORAGE): string | undefined {
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''))
  const fromHash = hash.get('key')
  if (fromHash) {
    sessionStorage.setItem(storageName, fromHash)
    hash.delete('key')
    const rest = hash.toString()
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''))
    return fromHash
  }
  return sessionStorage.getItem(storageName) ?? undefined
}

export function storeKey(key: string, storageName = STORAGE): void {
  sessionStorage.setItem(storageName, key)
}

export function forgetKey(storageName = STORAGE): void {
  sessionStorage.removeItem(storageName)
}
