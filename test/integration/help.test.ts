import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {ANSI, assertBuilt, MANIFEST, makeSandbox, runCli} from '../helpers/cli.js'

// Spawning `--help` for each of ~40 commands would take half a minute, so every command is
// checked through the manifest (which is what oclif renders help from) and three
// representative ones through the real binary.

interface ManifestFlag {
  name: string
  type: 'boolean' | 'option'
  description?: string
  hidden?: boolean
}

interface ManifestCommand {
  id: string
  summary?: string
  description?: string
  hidden?: boolean
  flags: Record<string, ManifestFlag>
  args: Record<string, {description?: string}>
}

function manifest(): Record<string, ManifestCommand> {
  assertBuilt()
  return (JSON.parse(readFileSync(MANIFEST, 'utf8')) as {commands: Record<string, ManifestCommand>}).commands
}

describe('help text', () => {
  it('every command has a summary or description', () => {
    const bare = Object.values(manifest())
      .filter((c) => !(c.summary?.trim() || c.description?.trim()))
      .map((c) => c.id)
    expect(bare).toEqual([])
  })

  it('summaries read well: "an" before a vowel (e.g. "Delete an endpoint.")', () => {
    const wrong = Object.values(manifest()).flatMap((c) =>
      (`${c.summary ?? ''} ${c.description ?? ''}`.match(/\ba [aeio]\w*/gi) ?? []).map((m) => `${c.id}: ${m}`),
    )
    expect(wrong).toEqual([])
  })

  it('every visible flag and argument is described', () => {
    const undescribed: string[] = []
    for (const command of Object.values(manifest())) {
      for (const flag of Object.values(command.flags)) {
        if (!flag.hidden && !flag.description?.trim()) undescribed.push(`${command.id} --${flag.name}`)
      }
      for (const [name, arg] of Object.entries(command.args ?? {})) {
        if (!arg.description?.trim()) undescribed.push(`${command.id} <${name}>`)
      }
    }
    expect(undescribed).toEqual([])
  })

  it.each([
    ['endpoints create', ['--name', '--url', '--json', '--gateway']],
    ['events send', ['--type', '--data', '--endpoint', '--idempotency-key']],
    ['server', ['--port', '--data-dir', '--api-key', '--json']],
  ])('caravan %s --help exits 0 with the summary, usage and flags', async (command, flags) => {
    const meta = manifest()[command.replace(' ', ':')]
    const sandbox = makeSandbox()
    try {
      const result = await runCli([...command.split(' '), '--help'], {env: sandbox.env})
      expect(result.code).toBe(0)
      expect(result.stderr).toBe('')
      expect(result.stdout).not.toMatch(ANSI)
      const summary = (meta.summary ?? meta.description ?? '').split('\n')[0]
      expect(result.stdout.startsWith(summary)).toBe(true)
      expect(result.stdout).toMatch(new RegExp(`^USAGE\\n  \\$ caravan ${command} `, 'm'))
      for (const flag of flags) expect(result.stdout).toContain(`${flag}`)
    } finally {
      sandbox.cleanup()
    }
  })
})
