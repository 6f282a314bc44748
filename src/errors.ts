/**
 * Domain errors with stable codes. Services and the relay throw these; the CLI maps
 * them to messages and exit codes in one table (src/cli/exit-codes.ts).
 */
export type ErrorCode =
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
