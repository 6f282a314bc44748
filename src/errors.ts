/**
 * Domain errors with stable codes. Services and the relay throw these; the CLI maps
 * them to messages and exit codes in one table (src/cli/exit-codes.ts).
 */
export type ErrorCode =
  /** Bad command-line input, found before anything is sent (exit 2). */
  | 'CARAVAN_ERR_USAGE'
  | 'CARAVAN_ERR_GATEWAY_DOWN'
  | 'CARAVAN_ERR_UNAUTHORIZED'
  | 'CARAVAN_ERR_NOT_FOUND'
  | 'CARAVAN_ERR_BAD_REQUEST'
  | 'CARAVAN_ERR_GATEWAY'
  | 'CARAVAN_ERR_CONFIG'
  | 'CARAVAN_ERR_PORT_IN_USE'
  | 'CARAVAN_ERR_DELIVERY_FAILED'
  | 'CARAVAN_ERR_TIMEOUT'
  | 'CARAVAN_ERR_NO_TTY'
  | 'CARAVAN_ERR_SIGNATURE_INVALID'
  | 'CARAVAN_ERR_STORE'
  | 'CARAVAN_ERR_DATA_DIR_IN_USE'

export class CaravanError extends Error {
  readonly code: ErrorCode
  /** A hint shown under the message, e.g. the command that fixes the problem. */
  readonly hint?: string

  constructor(code: ErrorCode, message: string, options: {cause?: unknown; hint?: string} = {}) {
    super(message, {cause: options.cause})
    this.name = 'CaravanError'
    this.code = code
    this.hint = options.hint
  }
}

/** A request the relay rejects; carries the HTTP status it answers with. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Seconds a client should wait before trying again (sent as `Retry-After`). */
    readonly retryAfter?: number,
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

export const badRequest = (message: string): HttpError => new HttpError(400, message)
export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`)

export function isCaravanError(error: unknown): error is CaravanError {
  return error instanceof CaravanError
}

// --- store errors ------------------------------------------------------------

/**
 * SQLite result codes (better-sqlite3's `SqliteError.code`, extended codes included) that
 * mean "the store cannot take this right now" — disk full, locked by another process, an
 * I/O error, a read-only file — as opposed to a bug or bad data. Requests answer 503 with
 * Retry-After, and the relay's loops back off and retry: the condition is expected to clear.
 */
const STORE_UNAVAILABLE = /^SQLITE_(FULL|BUSY|LOCKED|IOERR|READONLY|CANTOPEN|NOMEM|PROTOCOL)(_|$)/

/** Seconds a client is asked to wait when the store cannot take writes. */
export const STORE_RETRY_AFTER_SECONDS = 5

/** The SQLite code when `error` is a transient store condition, else undefined. */
export function storeUnavailableCode(error: unknown): string | undefined {
  const code = (error as {code?: unknown} | null)?.code
  return typeof code === 'string' && STORE_UNAVAILABLE.test(code) ? code : undefined
}

/** The condition a store code belongs to (SQLITE_IOERR_WRITE → SQLITE_IOERR), for logging once per condition. */
export function storeCondition(code: string): string {
  return /^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code
}

const STORE_CONDITION_TEXT: Record<string, string> = {
  SQLITE_FULL: 'the disk (or the store) is full',
  SQLITE_BUSY: "another process holds the store's write lock",
  SQLITE_LOCKED: 'the store is locked',
  SQLITE_IOERR: 'the store hit an I/O error',
  SQLITE_READONLY: 'the store is read-only',
  SQLITE_CANTOPEN: "the store's files cannot be opened",
  SQLITE_NOMEM: 'out of memory',
  SQLITE_PROTOCOL: "the store's lock protocol failed",
}

/** A human sentence for a store condition. */
export function describeStoreCondition(code: string): string {
  return STORE_CONDITION_TEXT[storeCondition(code)] ?? code
}

/** The HTTP answer for an error a request handler could not handle: 503 for store conditions. */
export function httpErrorFor(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error
  const code = storeUnavailableCode(error)
  if (!code) return undefined
  return new HttpError(
    503,
    `store unavailable: ${describeStoreCondition(code)} (${code}); try again in ${STORE_RETRY_AFTER_SECONDS}s`,
    STORE_RETRY_AFTER_SECONDS,
  )
}
