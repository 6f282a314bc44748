import {type ChildProcess, execFile, spawn, spawnSync} from 'node:child_process'
import {chmodSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {promisify} from 'node:util'

import {afterAll, describe, expect, it, onTestFinished} from 'vitest'

import {
  assertBuilt,
  BIN,
  killAll,
  makeSandbox,
  ROOT,
  runCli,
  runJson,
  type Sandbox,
  type ServerProcess,
  startServerProcess,
} from '../helpers/cli.js'
import {type Sink, startSink} from '../helpers/delivery.js'

// The inspector in a real terminal: the built binary runs inside tmux (a private server
// per test), keys go in with send-keys, the screen comes back with capture-pane.
// tmux is required, never skipped: CI installs it in .ci/run.

const SLOW = {timeout: 90_000}
const run = promisify(execFile)

afterAll(() => killAll())

function requireTmux(): void {
  const probe = spawnSync('tmux', ['-V'], {encoding: 'utf8'})
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `tmux is required for the inspector's terminal test and was not found (${probe.error?.message ?? probe.stderr}); CI installs it in .ci/run, locally: apt-get install tmux`,
    )
  }
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

/** The parent's env without anything that would change the CLI's behaviour (as helpers/cli does). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = {...process.env}
  for (const name of Object.keys(env)) {
    if (
      name.startsWith('CARAVAN_') ||
      name.startsWith('OCLIF_') ||
      name.startsWith('TMUX') ||
      name === 'FORCE_COLOR' ||
      name === 'NO_COLOR' ||
      name === 'DEBUG'
    )
      delete env[name]
  }
  return env
}

interface Terminal {
  /** The visible screen (and the scrollback with `history`), one string per row, trailing blanks trimmed. */
  screen(opts?: {escapes?: boolean; history?: boolean}): Promise<string[]>
  /** Poll the screen every 20 ms until `predicate` holds. */
  waitFor(predicate: (screen: string) => boolean | Promise<boolean>, what: string, timeoutMs?: number): Promise<string>
  /** tmux key names (Enter, Escape, Up, PageDown) or single characters. */
  keys(...keys: string[]): Promise<void>
  /** Text sent as is, in one write (a paste). */
  type(text: string): Promise<void>
  /** Wait for the pane's command to end; its exit status is what the shell echoed. */
  exited(): Promise<number>
}

/**
 * Run `command` in a new tmux session, 160×40, on a private tmux server that is killed
 * (with everything in it) when the test finishes. The pane stays after the command exits,
 * so its last screen and exit status can be read.
 */
async function openTerminal(command: string, sandbox: Sandbox): Promise<Terminal> {
  requireTmux()
  // The server's socket lives in the sandbox, removed with it.
  const name = `tmux-${Math.random().toString(36).slice(2, 8)}`
  const socket = join(sandbox.dir, `${name}.sock`)
  const conf = join(sandbox.dir, `${name}.conf`)
  writeFileSync(conf, 'set -g remain-on-exit on\nset -g history-limit 200\n')
  const env = cleanEnv()
  const tmux = async (...args: string[]) => (await run('tmux', ['-S', socket, ...args], {env, encoding: 'utf8'})).stdout
  onTestFinished(async () => {
    await tmux('kill-server').catch(() => undefined)
  })
  await tmux('-f', conf, 'new-session', '-d', '-s', 'inspect', '-x', '160', '-y', '40', command)
  const screen: Terminal['screen'] = async ({escapes = false, history = false} = {}) =>
    (await tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), ...(history ? ['-S', '-'] : []), '-t', 'inspect'))
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => l.trimEnd())
  return {
    screen,
    async waitFor(predicate, what, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const text = (await screen()).join('\n')
        if (await predicate(text)) return text
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the terminal shows:\n${text}`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    },
    async keys(...keys) {
      for (const key of keys) await tmux('send-keys', '-t', 'inspect', key)
    },
    async type(text) {
      await tmux('send-keys', '-t', 'inspect', '-l', text)
    },
    async exited() {
      // (tmux's #{pane_dead_status} stays empty for node processes, so the shell reports it.)
      const deadline = Date.now() + 10_000
      while ((await tmux('display-message', '-p', '-t', 'inspect', '#{pane_dead}')).trim() !== '1') {
        if (Date.now() > deadline)
          throw new Error(`the command in the terminal did not exit; it shows:\n${(await screen()).join('\n')}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const match = /\[exited (\d+)\]/.exec((await screen()).join('\n'))
      if (!match) throw new Error(`no exit status on the screen:\n${(await screen()).join('\n')}`)
      return Number(match[1])
    },
  }
}

/** `env VAR=… node bin/run.js <args>` for the pane, then `[exited N]` when it ends. */
function cliCommand(args: string[], env: Record<string, string>, redirect = ''): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`)
  return `cd ${quote(ROOT)} && env ${vars.join(' ')} ${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')}${redirect}; echo "[exited $?]"`
}

/** `caravan listen` in the background, ready when it says so; killed after the test. */
async function startListen(args: string[], sandbox: Sandbox): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'listen', ...args], {
    cwd: ROOT,
    env: {...cleanEnv(), ...sandbox.env, NO_COLOR: '1'},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stdout!.resume()
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`caravan listen was not ready within 15 s:\n${stderr}`)), 15_000)
    child.stderr!.on('data', (chunk: string) => {
      stderr += chunk
      if (/Ready! Forwarding/.test(stderr)) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) =>
      reject(new Error(`caravan listen exited with ${code} before it was ready:\n${stderr}`)),
    )
  })
  return child
}

async function ingest(url: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}/hooks`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify(body),
  })
  expect(res.status, await res.clone().text()).toBe(200)
  return res.headers.get('x-caravan-event-id')!
}

interface Stack {
  sandbox: Sandbox
  server: ServerProcess
  source: {uid: string; url: string}
  sink: Sink
  env: Record<string, string>
}

/** A relay (the built binary), a source, an app sink and a `caravan listen` forwarding to it. */
async function startStack(): Promise<Stack> {
  assertBuilt()
  const sandbox = makeSandbox('caravan-inspect-')
  onTestFinished(() => sandbox.cleanup())
  const server = await startServerProcess(sandbox.env)
  onTestFinished(async () => {
    await server.stop()
  })
  const source = await runJson(
    ['sources', 'create', '--name', 'shop', '--event-type-location', 'body.type', '--json'],
    {env: sandbox.env},
  )
  const sink = await startSink(() => ({status: 200, body: 'thanks'}))
  await startListen(['--source', 'shop', '--forward', `${sink.url}/app`], sandbox)
  const env = {
    ...(sandbox.env as Record<string, string>),
    CARAVAN_GATEWAY: server.url,
    CARAVAN_API_KEY: server.apiKey,
    CARAVAN_PROJECT: server.projectId,
  }
  return {sandbox, server, source, sink, env}
}

describe('caravan inspect in a real terminal (tmux)', SLOW, () => {
  it('tmux is installed (CI installs it in .ci/run)', () => expect(requireTmux).not.toThrow())

  it('follows live webhooks, shows details, replays (plain and edited in $EDITOR), copies as curl, quits', async () => {
    const {sandbox, source, sink, env} = await startStack()
    await ingest(source.url, {type: 'order.created', id: 1})
    await sink.waitForRequests(1)

    // $EDITOR is a script that rewrites the amount, as a user would in vi.
    const editor = join(sandbox.dir, 'editor.sh')
    writeFileSync(editor, `#!/bin/sh\nsed -i 's/"amount":1200/"amount":5/' "$1"\n`)
    chmodSync(editor, 0o755)

    const term = await openTerminal(cliCommand(['inspect'], {...env, EDITOR: editor}), sandbox)
    let screen = await term.waitFor(
      (s) => s.includes('● live') && s.includes('order.created'),
      'the header and the stored event',
    )
    const header = screen.split('\n')[0]
    expect(header).toMatch(
      /^caravan inspect · 1 events · ● live · following · → http:\/\/127\.0\.0\.1:\d+\/app · http:\/\/127\.0\.0\.1:\d+ · project \S+ · sources shop$/,
    )
    expect(screen).toMatch(/^\d\d:\d\d:\d\d POST +shop\/hooks +order\.created +Success +200 +\d+ms ×1$/m)
    expect(screen.trimEnd().split('\n').at(-1)).toMatch(/^↑↓\/jk move .* q quit$/)

    // Live: webhooks sent now appear at the bottom, and their deliveries update in place.
    const paidId = await ingest(source.url, {type: 'invoice.paid', amount: 1200})
    const createdId = await ingest(source.url, {type: 'invoice.created', customer: 'Ada'})
    screen = await term.waitFor(
      (s) =>
        s.includes('3 events') && /invoice\.created +Success +200/.test(s) && /invoice\.paid +Success +200/.test(s),
      'two live events, delivered',
    )
    const rows = screen.split('\n').filter((l) => / POST +shop\/hooks /.test(l))
    expect(rows.map((l) => /shop\/hooks +(\S+)/.exec(l)![1])).toEqual([
      'order.created',
      'invoice.paid',
      'invoice.created',
    ])

    // The selected row is drawn in reverse video; k moves it up and pauses following.
    const selectedRow = async () => (await term.screen({escapes: true})).find((l) => l.includes('\u001B[7m')) ?? ''
    expect(await selectedRow()).toContain('invoice.created')
    await term.keys('k')
    await term.waitFor((s) => s.split('\n')[0].includes('· paused ·'), 'paused')
    expect(await selectedRow()).toContain('invoice.paid')
    await term.keys('G')
    await term.waitFor((s) => s.split('\n')[0].includes('· following ·'), 'following again')
    expect(await selectedRow()).toContain('invoice.created')

    // Filter: only invoices.
    await term.keys('/')
    await term.type('type:invoice.*')
    await term.waitFor((s) => s.includes('/ type:invoice.*▌'), 'the filter being typed')
    await term.keys('Enter')
    screen = await term.waitFor((s) => s.split('\n')[0].includes(' 2 events '), 'the filtered list')
    expect(screen).not.toContain('order.created')
    expect(screen).toMatch(/^\/ type:invoice\.\*$/m)

    // Details of the newest: request line, headers, pretty JSON, the listener's delivery.
    await term.keys('G', 'Enter')
    screen = await term.waitFor((s) => s.includes('── delivery'), 'the details with deliveries')
    expect(screen).toMatch(/^POST \/hooks$/m)
    expect(screen).toMatch(/^event \S+ {2}type invoice\.created {2}Success {2}/m)
    expect(screen).toMatch(/^content-type: application\/json$/m)
    expect(screen).toContain('{\n  "type": "invoice.created",\n  "customer": "Ada"\n}')
    expect(screen).toMatch(/^ {2}attempt \S+ {2}\S+ {2}200 {2}\d+ms {2}http:\/\/127\.0\.0\.1:\d+\/app\/hooks$/m)

    // r: replay to the running listener's target; the app gets the body a second time.
    const before = sink.requests.length
    await term.keys('r')
    screen = await term.waitFor(
      (s) => new RegExp(`replayed ${createdId} to http://127\\.0\\.0\\.1:\\d+/app/hooks: HTTP 200 in \\d+ ms`).test(s),
      'the replay message',
    )
    const replayed = await sink.waitForRequests(before + 1)
    expect(replayed.at(-1)!.body.toString()).toBe(JSON.stringify({type: 'invoice.created', customer: 'Ada'}))
    await term.waitFor((s) => (s.match(/^── delivery /gm) ?? []).length === 2, 'the replay as a second delivery')

    // e: edit in $EDITOR (the terminal is handed over and taken back), then replay.
    // (One key at a time: an ESC followed at once by a key reads as Alt+key.)
    await term.keys('Escape')
    await term.waitFor((s) => !s.includes('── delivery'), 'the list again')
    await term.keys('k')
    await term.waitFor(async () => (await selectedRow()).includes('invoice.paid'), 'invoice.paid selected')
    await term.keys('e')
    await term.waitFor(
      (s) => s.includes(`replayed ${paidId} to `) && s.startsWith('caravan inspect ·'),
      'the edited replay, screen redrawn',
    )
    const edited = await sink.waitForRequests(before + 2)
    expect(edited.at(-1)!.body.toString()).toBe(JSON.stringify({type: 'invoice.paid', amount: 5}))

    // c: copy as curl; q: quit, and the command is printed on the normal screen.
    await term.keys('c')
    await term.waitFor(
      (s) => s.includes('copied as curl (OSC 52 clipboard); also printed when you quit'),
      'the copy message',
    )
    await term.keys('q')
    expect(await term.exited()).toBe(0)
    // (A long line wraps: join the rows; read the scrollback too, the pane may have scrolled.)
    const after = (await term.screen({history: true})).join('')
    expect(after).toContain(`curl -X POST '${source.url}/hooks' -H 'content-type: application/json'`)
    expect(after).toContain(`--data-binary '{"type":"invoice.paid","amount":1200}'`)
  })

  it("the README remote example: --gateway and --api-key with no profile and no project opens on the key's project", async () => {
    assertBuilt()
    const relayBox = makeSandbox('caravan-inspect-relay-')
    onTestFinished(() => relayBox.cleanup())
    const server = await startServerProcess(relayBox.env)
    onTestFinished(async () => {
      await server.stop()
    })
    // A fresh laptop: its own (empty) config dir, nothing but the gateway and the key.
    const laptop = makeSandbox('caravan-inspect-laptop-')
    onTestFinished(() => laptop.cleanup())
    const term = await openTerminal(
      cliCommand(
        ['inspect', '--gateway', server.url, '--api-key', server.apiKey],
        laptop.env as Record<string, string>,
      ),
      laptop,
    )
    const screen = await term.waitFor(
      (s) => (s.includes('● live') && /q quit$/m.test(s)) || s.includes('[exited'),
      'the inspector, live (or its exit)',
    )
    expect(screen).not.toMatch(/no project selected/)
    expect(screen.split('\n')[0]).toContain(`project ${server.projectId.slice(0, 2)}`)
    await term.keys('q')
    // The exit status may have scrolled past the visible rows: read the scrollback.
    const scrollback = async () => (await term.screen({history: true})).join('\n')
    await term.waitFor(async () => /\[exited \d+\]/.test(await scrollback()), 'the inspector to quit')
    expect(await scrollback()).toMatch(/\[exited 0\]/)
  })

  it('without a terminal it exits 12 and points to caravan events list --json', async () => {
    const sandbox = makeSandbox('caravan-inspect-')
    onTestFinished(() => sandbox.cleanup())
    // Pipes for stdin, stdout and stderr, as in a script.
    const result = await runCli(['inspect'], {env: sandbox.env})
    expect(result.code).toBe(12)
    expect(result.stdout).toBe('')
    expect(result.stderr).toBe(
      'Error: caravan inspect needs a terminal\nHint: in scripts use: caravan events list --json\n',
    )
  })

  it('with the screen a terminal but stdin redirected, it exits 12 too', async () => {
    const sandbox = makeSandbox('caravan-inspect-')
    onTestFinished(() => sandbox.cleanup())
    const term = await openTerminal(
      cliCommand(['inspect'], sandbox.env as Record<string, string>, ' < /dev/null'),
      sandbox,
    )
    await term.waitFor((s) => s.includes('Hint:'), 'the error')
    expect(await term.exited()).toBe(12)
    // With the scrollback (tmux sometimes scrolls a new pane by a line while it settles),
    // without tmux's own "Pane is dead" banner.
    const output = (await term.screen({history: true})).filter((l) => l && !l.startsWith('Pane is dead'))
    expect(output).toEqual([
      'Error: caravan inspect needs a terminal',
      'Hint: in scripts use: caravan events list --json',
      '[exited 12]',
    ])
  })
})
