/** JSON column helpers: the store keeps nested config as JSON text. */
export const toJson = (value: unknown): string => JSON.stringify(value)

export function fromJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback
  return JSON.parse(text) as T
}

export const nowIso = (now: number = Date.now()): string => new Date(now).toISOString()
