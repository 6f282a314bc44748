import {existsSync} from 'node:fs'

/**
 * Where Chromium is: CARAVAN_CHROMIUM, else Debian's /usr/bin/chromium (what `npm test`'s
 * pretest installs). playwright-core drives it; it downloads no browser of its own.
 */
export function findChromium(): string | undefined {
  const candidates = [process.env.CARAVAN_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  return candidates.find((p): p is string => Boolean(p) && existsSync(p!))
}

/** Root in a container has no user namespaces for Chromium's sandbox. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu']
