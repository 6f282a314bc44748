import {readFileSync} from 'node:fs'

import {CaravanError} from '../errors.js'

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
}

/**
 * The bytes a `--data` style flag names: `@file` reads the file, `-` reads stdin, anything
 * else is the value itself. A file that cannot be read is a usage error naming it.
 */
export function readDataFlag(value: string, flag = '--data'): Buffer {
  if (value === '-') return readFileSync(0)
  if (!value.startsWith('@')) return Buffer.from(value, 'utf8')
  const file = value.slice(1)
  try {
    return readFileSync(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? ''
    throw new CaravanError(
      'CARAVAN_ERR_USAGE',
      `cannot read ${flag} file ${file}: ${REASONS[code] ?? (error as Error).message}`,
      {hint: `${flag} @path reads a file (relative to ${process.cwd()}); ${flag} - reads stdin`},
    )
  }
}

/** `--data` as JSON (for commands that send JSON, not raw bytes). */
export function readJsonDataFlag(value: string, flag = '--data'): unknown {
  const text = readDataFlag(value, flag).toString('utf8')
  try {
    return JSON.parse(text)
  } catch (error) {
    throw new CaravanError('CARAVAN_ERR_USAGE', `${flag} is not valid JSON: ${(error as Error).message}`)
  }
}
