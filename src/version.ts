import {readFileSync} from 'node:fs'

let cached: string | undefined

/** The package version, read lazily (no import-time I/O). */
export function caravanVersion(): string {
  if (cached === undefined) {
    // Compiled files live in dist/src, sources in src: package.json is two or one levels up.
    for (const rel of ['../../package.json', '../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {name?: string; version?: string}
        if (pkg.name === 'caravan' && pkg.version) {
          cached = pkg.version
          break
        }
      } catch {
        // try the next candidate
      }
    }
    cached ??= '0.0.0'
  }
  return cached
}
