// A small fetch client for the relay's JSON APIs: Bearer key, JSON in and out, and errors
// that carry the server's own message (Convoy's `{status:false,message}`, Svix's `{detail}`).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

export type Query = Record<string, string | number | boolean | string[] | undefined>

export interface ApiClient {
  key: string
  request<T = unknown>(method: string, path: string, opts?: {query?: Query; body?: unknown}): Promise<T>
  /** Convoy's envelope unwrapped: its `data`. */
  data<T = unknown>(method: string, path: string, opts?: {query?: Query; body?: unknown}): Promise<T>
}

function queryString(query: Query | undefined): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue
    if (Array.isArray(value)) for (const v of value) params.append(name, v)
    else params.set(name, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

function errorMessage(body: unknown, status: number): string {
  if (body && typeof body === 'object') {
    const b = body as {message?: unknown; detail?: unknown}
    if (typeof b.message === 'string') return b.message
    if (typeof b.detail === 'string') return b.detail
    if (Array.isArray(b.detail)) return b.detail.map((d) => `${(d.loc ?? []).join('.')}: ${d.msg}`).join('; ')
  }
  return `HTTP ${status}`
}

/** `onUnauthorized` runs on a 401 (the key is wrong or expired): the app signs out. */
export function apiClient(key: string, onUnauthorized?: (message: string) => void): ApiClient {
  const request = async <T>(method: string, path: string, opts: {query?: Query; body?: unknown} = {}): Promise<T> => {
    const headers: Record<string, string> = {authorization: `Bearer ${key}`, accept: 'application/json'}
    if (opts.body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(path + queryString(opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    })
    const text = await res.text()
    let body: unknown = undefined
    if (text) {
      try {
        body = JSON.parse(text)
      } catch {
        body = text
      }
    }
    if (!res.ok) {
      const message = errorMessage(body, res.status)
      if (res.status === 401) onUnauthorized?.(message)
      throw new ApiError(res.status, message)
    }
    return body as T
  }
  return {
    key,
    request,
    async data<T>(method: string, path: string, opts?: {query?: Query; body?: unknown}): Promise<T> {
      const body = await request<{data?: T}>(method, path, opts)
      return body?.data as T
    },
  }
}
