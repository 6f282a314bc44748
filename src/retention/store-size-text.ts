import type {StoreStats} from './store-size.js'

/** The `store` figures of a /healthz answer, or null when the gateway gives none (Convoy, older relays). */
export function storeOf(detail: Record<string, unknown> | undefined): StoreStats | null {
  const store = detail?.store_size as Partial<StoreStats> | undefined
  if (!store || typeof store.bytes !== 'number' || typeof store.events !== 'number') return null
  return {
    bytes: store.bytes,
    free_bytes: typeof store.free_bytes === 'number' ? store.free_bytes : 0,
    events: store.events,
  }
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

/** "12 MB on disk (3.1 MB free for reuse), 10,240 events" */
export function describeStore(store: StoreStats): string {
  const free = store.free_bytes > 0 ? ` (${formatBytes(store.free_bytes)} free for reuse)` : ''
  return `${formatBytes(store.bytes)} on disk${free}, ${store.events.toLocaleString('en-US')} events`
}
