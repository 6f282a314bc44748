import type {IncomingMessage, ServerResponse} from 'node:http'

import {HttpError} from '../errors.js'

export const API_BODY_LIMIT = 10 * 1024 * 1024

/** Read a request body up to `limit` bytes; above it, answer 413 without buffering the rest. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      req.resume()
      reject(new HttpError(413, `request body is ${declared} bytes, above the limit of ${limit} bytes`))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > limit) {
        failed = true
        reject(new HttpError(413, `request body is above the limit of ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks, size))
    })
    req.on('error', reject)
  })
}

export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {}
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (error) {
    throw new HttpError(400, `request body is not valid JSON: ${(error as Error).message}`)
  }
}

export function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = Buffer.from(JSON.stringify(payload))
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'content-length': body.length})
  res.end(body)
}

/** Convoy's envelope: `{status, message, data}`. */
export function envelope(message: string, data?: unknown): {status: boolean; message: string; data?: unknown} {
  return data === undefined ? {status: true, message} : {status: true, message, data}
}

export function errorEnvelope(message: string): {status: false; message: string} {
  return {status: false, message}
}
