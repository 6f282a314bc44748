import {spawnSync} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {CaravanError} from '../errors.js'

type HeaderMap = Record<string, string[]>

/** `Name: value` lines, a blank line, then the body: what the editor shows. */
export function formatRequest(headers: HeaderMap, body: Buffer): string {
  const lines = Object.entries(headers).flatMap(([k, values]) => values.map((v) => `${k}: ${v}`))
  return `${lines.join('\n')}\n\n${body.toString('utf8')}`
}

export function parseRequest(text: string): {headers: HeaderMap; body: Buffer} {
  const split = text.indexOf('\n\n')
  const head = split === -1 ? text : text.slice(0, split)
  const body = split === -1 ? '' : text.slice(split + 2)
  const headers: HeaderMap = {}
  for (const line of head.split('\n')) {
    if (!line.trim()) continue
    const at = line.indexOf(':')
    if (at <= 0)
      throw new CaravanError('CARAVAN_ERR_BAD_REQUEST', `edited request: "${line}" is not a "Name: value" header line`)
    ;(headers[line.slice(0, at).trim().toLowerCase()] ??= []).push(line.slice(at + 1).trim())
  }
  return {headers, body: Buffer.from(body, 'utf8')}
}

/**
 * Open $VISUAL or $EDITOR (else vi) on `text` in a temp file, with the terminal; the
 * edited text, or the editor's exit status when it failed (nothing is to be sent then).
 */
export function editText(text: string): {editor: string; text: string} | {editor: string; failed: string} {
  const editor = process.env.VISUAL || process.env.EDITOR || 'vi'
  const dir = mkdtempSync(join(tmpdir(), 'caravan-edit-'))
  const file = join(dir, 'request.http')
  try {
    writeFileSync(file, text)
    const run = spawnSync(editor, [file], {stdio: 'inherit', shell: process.platform === 'win32'})
    if (run.status !== 0) return {editor, failed: String(run.error?.message ?? run.status ?? run.signal)}
    return {editor, text: readFileSync(file, 'utf8')}
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}
