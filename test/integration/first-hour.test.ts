import {execFileSync} from 'node:child_process'
import {createHmac} from 'node:crypto'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it, onTestFinished} from 'vitest'

import {
  BIN,
  closedPort,
  type Env,
  killAll,
  makeSandbox,
  readProfiles,
  ROOT,
  runCli,
  runJson,
  type Sandbox,
  type ServerProcess,
  startServerProcess,
} from '../helpers/cli.js'
import {startApp} from '../helpers/listen.js'

// Issue 11, items 7–13: what a new user typed in their first hour, run against the built
// bin/run.js. Each test names the item it reproduces.

const SLOW = {timeout: 90_000}

afterAll(() => killAll())

/**
 * Run a caravan command in a real terminal (a private tmux server, killed when the test
 * ends), for what only happens on a TTY. Returns a way to read the screen and press keys.
 */
function inTerminal(sandbox: Sandbox, args: string[], env: Env) {
  const socket = join(sandbox.dir, `tmux-${Math.random().toString(36).slice(2, 8)}.sock`)
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`
  const vars = Object.entries({...env, NO_COLOR: '1'}).map(([k, v]) => `${k}=${quote(String(v))}`)
  const command = `cd ${quote(ROOT)} && env ${vars.join(' ')} ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}; echo "[exited $?]"; sleep 60`
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(CARAVAN_|TMUX|npm_)/.test(k)))
  const tmux = (...rest: string[]) => execFileSync('tmux', ['-S', socket, ...rest], {env: clean, encoding: 'utf8'})
  tmux('new-session', '-d', '-s', 'cli', '-x', '120', '-y', '30', command)
  onTestFinished(() => {
    try {
      tmux('kill-server')
    } catch {
      // already gone
    }
  })
  const screen = () => tmux('capture-pane', '-p', '-t', 'cli')
  return {
    keys: (...keys: string[]) => tmux('send-keys', '-t', 'cli', ...keys),
    async waitFor(text: string, timeoutMs = 20_000): Promise<string> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const shown = screen()
        if (shown.includes(text)) return shown
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${JSON.stringify(text)}; the terminal shows:\n${shown}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
  }
}

/** Output without a trailing newline, as lines. */
const lines = (text: string) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'))

describe('with no gateway involved', () => {
  let sandbox: Sandbox
  let env: Env
  beforeAll(async () => {
    sandbox = makeSandbox('caravan-first-hour-')
    // Nothing listens here: a command that needs no gateway must not try one.
    env = {...sandbox.env, CARAVAN_GATEWAY: `http://127.0.0.1:${await closedPort()}`, XDG_CACHE_HOME: sandbox.dir}
  })
  afterAll(() => sandbox.cleanup())
  const cli = (args: string[], extra: Env = {}) => runCli(args, {env: {...env, ...extra}})

  it('item 7: caravan help listen shows the listen help (@oclif/plugin-help)', SLOW, async () => {
    const result = await cli(['help', 'listen'])
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout).toContain('$ caravan listen')
    expect(result.stdout).toContain('--forward')
  })

  it('item 7: caravan lisen says "did you mean listen?" in the Error/Hint form, exit 2', SLOW, async () => {
    const result = await cli(['lisen', '--forward', 'localhost:3000'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      'Error: "lisen" is not a caravan command\nHint: did you mean caravan listen? (caravan help lists the commands)\n',
    )
  })

  it('item 7: an unknown flag gets a did-you-mean and no usage dump', SLOW, async () => {
    const result = await cli(['listen', '--foward', 'localhost:3000'])
    expect(result.code).toBe(2)
    expect(result.stdout).toBe('')
    expect(lines(result.stderr)).toEqual([
      'Error: Nonexistent flag: --foward',
      'Hint: did you mean --forward? (see caravan listen --help)',
    ])
  })

  it('item 7: other parse errors are one Error line and a Hint too', SLOW, async () => {
    const missing = await cli(['events', 'send', '--type', 'x'])
    expect(missing.code).toBe(2)
    expect(lines(missing.stderr)).toEqual(['Error: Missing required flag data', 'Hint: see caravan events send --help'])
    const option = await cli(['sign', '--scheme', 'bogus', '--secret', 's', '--data', '{}'])
    expect(option.code).toBe(2)
    expect(lines(option.stderr)).toEqual([
      'Error: Expected --scheme=bogus to be one of: convoy, standard',
      'Hint: see caravan sign --help',
    ])
  })

  // plugin-autocomplete 3.2 is the newest that runs on Node 20 (3.3 adds fish but needs Node 22).
  it('item 7: caravan autocomplete sets up bash and zsh completion of commands and flags', SLOW, async () => {
    const setup = await cli(['autocomplete', 'bash'])
    expect(setup.code, setup.stderr).toBe(0)
    expect(setup.stdout).toContain('caravan autocomplete script bash')
    for (const shell of ['bash', 'zsh']) {
      const script = await cli(['autocomplete', 'script', shell])
      expect(script.code, script.stderr).toBe(0)
    }
    const bash = readFileSync(join(sandbox.dir, 'caravan', 'autocomplete', 'functions', 'bash', 'caravan.bash'), 'utf8')
    expect(bash).toMatch(/\blisten\b/)
    expect(bash).toContain('--forward')
  })

  it('item 8: hints are runnable as printed: npx caravan when run through npx', SLOW, async () => {
    const plain = await cli(['trigger', 'github'])
    expect(plain.code).toBe(2)
    expect(plain.stderr).toContain('Hint: e.g. caravan trigger github push; caravan trigger --list shows every sample')
    // What npm exec sets for `npx caravan …`.
    const viaNpx = await cli(['trigger', 'github'], {npm_command: 'exec', npm_lifecycle_script: "'caravan'"})
    expect(viaNpx.stderr).toContain(
      'Hint: e.g. npx caravan trigger github push; npx caravan trigger --list shows every sample',
    )
  })

  it('item 9: --data @missing.json is a usage error naming the file', SLOW, async () => {
    const result = await cli(['events', 'send', '--type', 'x', '--data', '@missing.json'])
    expect(result.code).toBe(2)
    expect(lines(result.stderr)[0]).toBe('Error: cannot read --data file missing.json: no such file')
    expect(result.stderr).not.toContain('ENOENT')
    const sign = await cli(['sign', '--secret', 's', '--data', '@missing.json'])
    expect(sign.code).toBe(2)
    expect(lines(sign.stderr)[0]).toBe('Error: cannot read --data file missing.json: no such file')
    const replay = await cli(['replay', 'latest', '--data', '@missing.json'])
    expect(replay.code).toBe(2)
    expect(lines(replay.stderr)[0]).toBe('Error: cannot read --data file missing.json: no such file')
  })

  it('item 9: a --gateway that is no URL is a usage error naming the flag', SLOW, async () => {
    const result = await cli(['endpoints', 'list', '--gateway', 'http://'])
    expect(result.code).toBe(2)
    expect(lines(result.stderr)[0]).toBe('Error: --gateway is not a gateway URL: "http://"')
  })

  it('item 9: replay --edit without a terminal exits 12 (needs a terminal)', SLOW, async () => {
    const result = await cli(['replay', 'latest', '--edit'])
    expect(result.code).toBe(12)
    expect(lines(result.stderr)).toEqual(['Error: --edit needs a terminal', 'Hint: use --data and -H instead'])
  })

  it('item 9: sign/verify --scheme standard without --id is a usage error, not "gateway rejected"', SLOW, async () => {
    const sign = await cli([
      'sign',
      '--scheme',
      'standard',
      '--secret',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      '--data',
      '{}',
    ])
    expect(sign.code).toBe(2)
    expect(sign.stderr).toMatch(/^Error: the standard scheme signs "id\.timestamp\.body": pass --id/)
    const verify = await cli([
      'verify',
      '--scheme',
      'standard',
      '--secret',
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      '--data',
      '{}',
      '--signature',
      'v1,x',
    ])
    expect(verify.code).toBe(2)
    expect(verify.stderr).toContain('pass --id and --timestamp')
  })

  it('item 9: trigger with an unknown event or provider is a usage error listing what exists', SLOW, async () => {
    const event = await cli(['trigger', 'github', 'pushh'])
    expect(event.code).toBe(2)
    expect(lines(event.stderr)[0]).toBe('Error: unknown github event "pushh"; available: push, pull_request, ping')
    const provider = await cli(['trigger', 'gitlab', 'push'])
    expect(provider.code).toBe(2)
    expect(lines(provider.stderr)[0]).toBe(
      'Error: unknown provider "gitlab"; available: github, stripe, shopify, standard-webhooks',
    )
    expect(provider.stderr).not.toContain('no source named')
  })

  it('item 12: a malformed --override is a usage error before anything is sent', SLOW, async () => {
    const result = await cli(['trigger', 'github', 'push', '--override', 'noequals'])
    expect(result.code).toBe(2)
    expect(lines(result.stderr)[0]).toBe('Error: --override must look like key=value (got "noequals")')
    const scalar = await cli(['trigger', 'github', 'push', '--override', 'ref.x=1'])
    expect(scalar.code).toBe(2)
    expect(lines(scalar.stderr)[0]).toBe('Error: --override ref.x=1: "ref" is "refs/heads/main", not an object')
  })
})

describe('against a running relay', () => {
  let sandbox: Sandbox
  let server: ServerProcess
  let env: Env
  beforeAll(async () => {
    sandbox = makeSandbox('caravan-first-hour-relay-')
    server = await startServerProcess(sandbox.env)
    env = sandbox.env
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    sandbox?.cleanup()
  })
  const cli = (args: string[], extra: Env = {}) => runCli(args, {env: {...env, ...extra}})
  const json = (args: string[], extra: Env = {}) => runJson(args, {env: {...env, ...extra}})

  it(
    'item 7: in a terminal, a mistyped command asks "Did you mean endpoints list?" and runs it (plugin-not-found)',
    SLOW,
    async () => {
      const terminal = inTerminal(sandbox, ['endpoints', 'lst'], env)
      await terminal.waitFor('Did you mean endpoints list?')
      terminal.keys('Enter')
      const shown = await terminal.waitFor('[exited ')
      expect(shown).toContain('No endpoints found.')
      expect(shown).toContain('[exited 0]')
    },
  )

  it('item 9: --gateway without a scheme is taken as http://', SLOW, async () => {
    const result = await cli(['endpoints', 'list', '--gateway', `127.0.0.1:${server.port}`, '--json'])
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout).content).toEqual([])
    const viaLocalhost = await cli(['status', '--gateway', `localhost:${server.port}`])
    expect(viaLocalhost.stderr).not.toContain('request to null failed')
  })

  it('item 9: login with a refused key points at the key, not at the local relay or login itself', SLOW, async () => {
    const other = makeSandbox('caravan-first-hour-login-')
    onTestFinished(() => other.cleanup())
    const result = await runCli(['login', '--gateway', server.url, '--api-key', 'wrong'], {env: other.env})
    expect(result.code).toBe(4)
    const hint = lines(result.stderr)[1]
    expect(hint).toMatch(/^Hint: check --api-key: use a key of the gateway at /)
    expect(hint).not.toContain('caravan server')
    expect(hint).not.toContain('caravan login')
  })

  it('item 10: logging in with a project key selects its project', SLOW, async () => {
    const created = await json(['projects', 'create', '--name', 'ci', '--json'])
    const key = created.api_key.key as string
    const projectId = created.project.uid as string
    const laptop = makeSandbox('caravan-first-hour-laptop-')
    onTestFinished(() => laptop.cleanup())
    const login = await runCli(['login', '--gateway', server.url, '--api-key', key], {env: laptop.env})
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toBe(`Logged in to ${server.url} as profile "default" (project ${projectId})\n`)
    const saved = readProfiles(laptop.configFile)
    expect(saved.current).toBe('default')
    expect(saved.profiles.default).toEqual({gateway: server.url, apiKey: key, project: projectId})
    // Item 13: written through conf, same file, same private mode, no temp files left.
    expect(statSync(laptop.configFile).mode & 0o777).toBe(0o600)
    expect(readdirSync(laptop.configDir)).toEqual(['config.json'])
    const list = await runCli(['endpoints', 'list', '--json'], {env: laptop.env})
    expect(list.code, list.stderr).toBe(0)
  })

  it(
    'item 10: events send --wait fails when the event matched no subscription (--expect 0 accepts it)',
    SLOW,
    async () => {
      const result = await cli(['events', 'send', '--type', 'nobody.listens', '--data', '{}', '--wait'])
      expect(result.code).toBe(10)
      expect(result.stderr).toMatch(/Error: event \w+ matched no subscription: nothing was delivered\n/)
      expect(result.stderr).toContain('or pass --expect 0 when no delivery is fine')
      const accepted = await cli([
        'events',
        'send',
        '--type',
        'nobody.listens',
        '--data',
        '{}',
        '--wait',
        '--expect',
        '0',
      ])
      expect(accepted.code, accepted.stderr).toBe(0)
    },
  )

  it('item 11: endpoints create shows the generated secret once; --print-secret prints only it', SLOW, async () => {
    const created = await cli(['endpoints', 'create', '--name', 'billing', '--url', 'http://127.0.0.1:9/hooks'])
    expect(created.code, created.stderr).toBe(0)
    const secretLines = lines(created.stdout).filter((line) => /^secrets?\s/.test(line))
    expect(secretLines).toHaveLength(1)
    const secret = secretLines[0].split(/\s+/)[1]
    expect(secret.length).toBeGreaterThan(10)
    expect(created.stdout.split(secret)).toHaveLength(2)
    const printed = await cli([
      'endpoints',
      'create',
      '--name',
      'crm',
      '--url',
      'http://127.0.0.1:9/crm',
      '--print-secret',
    ])
    expect(printed.code, printed.stderr).toBe(0)
    expect(printed.stdout).toMatch(/^\S{10,}\n$/)
  })

  it(
    'item 11: events get prints the body once; --raw prints the exact bytes; --json keeps every field',
    SLOW,
    async () => {
      const sent = await json(['events', 'send', '--type', 'order.created', '--data', '{"id": "ord_1"}', '--json'])
      const shown = await cli(['events', 'get', sent.uid])
      expect(shown.code, shown.stderr).toBe(0)
      expect(shown.stdout.match(/ord_1/g)).toHaveLength(1)
      expect(shown.stdout).not.toMatch(/^(raw|body_base64)\s/m)
      const raw = await cli(['events', 'get', sent.uid, '--raw'])
      expect(raw.stdout).toBe('{"id":"ord_1"}')
      const withBase64 = await cli(['events', 'get', sent.uid, '--base64'])
      expect(withBase64.stdout).toMatch(/^body_base64\s+eyJpZCI6Im9yZF8xIn0=$/m)
      const full = await json(['events', 'get', sent.uid, '--json'])
      expect(Object.keys(full)).toEqual(expect.arrayContaining(['data', 'raw', 'body_base64']))
    },
  )

  it('item 11: retrying a successful delivery names the force-resend command, not the API route', SLOW, async () => {
    const app = await startApp()
    onTestFinished(() => app.close())
    const endpoint = await json(['endpoints', 'create', '--name', 'ok', '--url', `${app.url}/hooks`, '--json'])
    await json([
      'subscriptions',
      'create',
      '--name',
      'ok',
      '--endpoint',
      endpoint.uid,
      '--event-types',
      'ok.*',
      '--json',
    ])
    const sent = await json(['events', 'send', '--type', 'ok.done', '--data', '{}', '--wait', '--json'])
    expect(sent.deliveries.map((d: {status: string}) => d.status)).toEqual(['Success'])
    const id = sent.deliveries[0].uid
    const retry = await cli(['deliveries', 'retry', id])
    expect(retry.code).toBe(6)
    expect(retry.stderr).not.toContain('forceresend')
    expect(lines(retry.stderr)[1]).toBe(
      `Hint: to send a successful delivery again: caravan deliveries force-resend ${id}`,
    )
  })

  it(
    'item 12: trigger --override changes the sample; --data @file sends the file; both signed for the provider',
    SLOW,
    async () => {
      const secret = 'gh-s3cr3t'
      const created = await cli(['sources', 'create', '--name', 'gh', '--provider', 'github', '--secret', secret])
      expect(created.code, created.stderr).toBe(0)

      const overridden = await json([
        'trigger',
        'github',
        'push',
        '--source',
        'gh',
        '--override',
        'ref=refs/heads/feature',
        '--override',
        'commits[0].message="fix: jitter"',
        '--override',
        'repository.size=42',
        '--override',
        'extra.nested=true',
        '--json',
      ])
      // 200 from the ingest URL: the relay checked the GitHub signature over the changed body.
      expect(overridden.status).toBe(200)
      const event = await json(['events', 'get', overridden.event_id, '--json'])
      expect(event.data.ref).toBe('refs/heads/feature')
      expect(event.data.commits[0].message).toBe('fix: jitter')
      expect(event.data.repository.size).toBe(42)
      expect(event.data.extra).toEqual({nested: true})
      expect(event.data.repository.name).toBe('demo-app')

      const file = join(sandbox.dir, 'push.json')
      const body = '{"ref": "refs/heads/from-file",\n "custom": [1, 2, 3]}\n'
      writeFileSync(file, body)
      const fromFile = await json(['trigger', 'github', 'push', '--source', 'gh', '--data', `@${file}`, '--json'])
      expect(fromFile.status).toBe(200)
      expect(fromFile.signed).toBe(true)
      const raw = await cli(['events', 'get', fromFile.event_id, '--raw'])
      expect(raw.stdout).toBe(body)
      const stored = await json(['events', 'get', fromFile.event_id, '--json'])
      const signature = stored.headers['x-hub-signature-256']
      expect([signature].flat()[0]).toBe(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`)
      expect([stored.headers['x-github-event']].flat()[0]).toBe('push')
    },
  )

  it(
    'item 11: a replay of a changed GitHub request says it was re-signed, without claiming a timestamp',
    SLOW,
    async () => {
      const app = await startApp()
      onTestFinished(() => app.close())
      await cli(['sources', 'create', '--name', 'gh2', '--provider', 'github', '--secret', 's2'])
      const sent = await json(['trigger', 'github', 'ping', '--source', 'gh2', '--json'])
      expect(sent.status).toBe(200)
      const replay = await cli(['replay', sent.event_id, '--forward', `${app.url}/hooks`, '--data', '{"zen":"edited"}'])
      expect(replay.code, replay.stderr).toBe(0)
      expect(replay.stderr).toContain("re-signed with the source's github secret")
      expect(replay.stderr).not.toContain('timestamp')
    },
  )
})
