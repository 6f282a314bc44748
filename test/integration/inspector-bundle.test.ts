import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {pathToFileURL} from 'node:url'

import {describe, expect, it} from 'vitest'

import {assertBuilt, ROOT} from '../helpers/cli.js'

// `npm run build` bundles the inspector's screen with ink and React into one file
// (scripts/bundle-inspector.mjs); `caravan inspect` loads it instead of ~600 modules.
const BUNDLE = join(ROOT, 'dist', 'src', 'tui', 'inspector.bundle.js')

/** Every `from "…"` / `import("…")` specifier in a built file. */
function specifiers(code: string): string[] {
  return [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1])
}

describe('the inspector bundle', () => {
  it('is built, and every module it leaves outside exists', () => {
    assertBuilt()
    expect(existsSync(BUNDLE), `${BUNDLE} is missing: npm run build makes it`).toBe(true)
    const code = readFileSync(BUNDLE, 'utf8')
    const outside = specifiers(code)
    const relativeOnes = outside.filter((s) => s.startsWith('.'))
    expect(relativeOnes.length).toBeGreaterThan(0)
    for (const s of relativeOnes) expect(existsSync(resolve(dirname(BUNDLE), s)), s).toBe(true)
    // Packages left outside are Node's own or Caravan's runtime dependencies, never ink or React.
    const packages = outside.filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    const dependencies = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {dependencies: Record<string, string>})
        .dependencies,
    )
    for (const p of packages) expect(dependencies, p).toContain(p)
    expect(packages).not.toContain('ink')
    expect(packages).not.toContain('react')
  })

  it("shares Caravan's own modules with the command instead of copying them", () => {
    const code = readFileSync(BUNDLE, 'utf8')
    // One CaravanError class, so the command maps errors thrown on either side to exit codes.
    expect(code).not.toMatch(/class CaravanError\b/)
    expect(code).not.toMatch(/class GatewayClient\b/)
    // The screen's own components are in it.
    expect(code).toContain('No events yet. Send a webhook to the ingest URL')
  })

  it('loads, and offers what the launcher calls', async () => {
    const screen = (await import(pathToFileURL(BUNDLE).href)) as Record<string, unknown>
    expect(typeof screen.runInspector).toBe('function')
    expect(screen.ALT_SCREEN_ON).toBe('\u001B[?1049h\u001B[H')
    expect(screen.ALT_SCREEN_OFF).toBe('\u001B[?1049l')
  })

  it('loads with DEV=true too: ink says React DevTools is not installed and goes on', () => {
    const load = `await import(${JSON.stringify(pathToFileURL(BUNDLE).href)}); console.log('loaded')`
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', load], {
      env: {...process.env, DEV: 'true'},
      encoding: 'utf8',
    })
    expect(run.stderr).toContain('Ink tried to import `react-devtools-core`')
    expect(run.stdout).toBe('loaded\n')
    expect(run.status).toBe(0)
  })
})
