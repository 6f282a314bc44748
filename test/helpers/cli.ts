import {type ChildProcess, spawn} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {createServer} from 'node:net'
import {tmpdir} from 'node:os'
import {dirname, join, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * Drive the built `bin/run.js` exactly as a user or CI script would: a real child process,
 * real exit code, stdout and stderr kept apart. Every child is tracked so none outlives
 * the test run.
 */

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = join(ROOT, 'bin', 'run.js')
export const MANIFEST = join(ROOT, 'oclif.manifest.json')

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export type Env = Record<string, string | undefined>

export interface RunOptions {
  /** Merged over a clean base env; `undefined` removes a variable. */
  env?: Env
  /** Written to stdin, which is then closed (stdin is always closed, so `--data -` never hangs). */
  input?: string
  timeoutMs?: number
  cwd?: string
}

const children = new Set<ChildProcess>()

// Safety net: a test that forgot `stop()` or timed out must not leave relays behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/** Kill every child still running (for afterAll hooks). */
export function killAll(): void {
  for (const child of children) child.kill('SIGKILL')
  children.clear()
}

/**
 * Fail loudly (never skip) when the binary has not been built: integration tests run the
 * compiled `dist/` through `bin/run.js`, as users do.
 */
export function assertBuilt(): void {
  const missing = [join(ROOT, 'dist', 'commands'), MANIFEST].filter((p) => !existsSync(p))
  if (missing.length > 0) {
    throw new Error(
      `The CLI has not been built (missing ${missing.map((p) => p.slice(ROOT.length + 1)).join(', ')}): run "npm run build" before the integration tests.`,
    )
  }
}

/** The parent's env without anything that would change the CLI's behaviour under test. */
function baseEnv(): Env {
  const env: Env = {...process.env}
  for (const name of Object.keys(env)) {
    // npm_* too: run through npx/npm exec, caravan prints its hints as `npx caravan …`.
    if (
      name.startsWith('CARAVAN_') ||
      name.startsWith('OCLIF_') ||
      name.startsWith('npm_') ||
      name === 'FORCE_COLOR' ||
      name === 'DEBUG'
    )
      delete env[name]
  }
  env.NO_COLOR = '1'
  return env
}

function buildEnv(extra: Env = {}): NodeJS.ProcessEnv {
  const env = {...baseEnv(), ...extra}
  // Never let a test touch the developer's real profile or store.
  if (!env.CARAVAN_CONFIG_DIR || !env.CARAVAN_DATA_DIR) {
    throw new Error('runCli needs CARAVAN_CONFIG_DIR and CARAVAN_DATA_DIR in env (use makeSandbox())')
  }
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name]
  return env as NodeJS.ProcessEnv
}

function track(child: ChildProcess): void {
  children.add(child)
  child.once('exit', () => children.delete(child))
}

/** Run `caravan <args>` to completion. */
export function runCli(args: string[], opts: RunOptions = {}): Promise<CliResult> {
  assertBuilt()
  const env = buildEnv(opts.env)
  const timeoutMs = opts.timeoutMs ?? 20_000
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {cwd: opts.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe']})
    track(child)
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `caravan ${args.join(' ')} did not finish within ${timeoutMs}ms\nstdout: ${stdout}\nstderr: ${stderr}`,
        ),
      )
    }, timeoutMs)
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolvePromise({code, signal, stdout, stderr})
    })
    child.stdin!.on('error', () => {}) // the CLI may exit before reading stdin
    child.stdin!.end(opts.input ?? '')
  })
}

/** Run and parse stdout as JSON, failing with the whole result when the command did not succeed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runJson<T = any>(args: string[], opts: RunOptions = {}): Promise<T> {
  const result = await runCli(args, opts)
  if (result.code !== 0) {
    throw new Error(
      `caravan ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
    )
  }
  try {
    return JSON.parse(result.stdout) as T
  } catch {
    throw new Error(`caravan ${args.join(' ')}: stdout is not JSON:\n${result.stdout}`)
  }
}

export interface Sandbox {
  dir: string
  configDir: string
  dataDir: string
  /** CARAVAN_CONFIG_DIR and CARAVAN_DATA_DIR pointing into the sandbox. */
  env: Env
  /** The profiles file the CLI writes (conf's `config.json`). */
  configFile: string
  cleanup(): void
}

/** A fresh temp dir with config and data dirs under it. */
export function makeSandbox(prefix = 'caravan-it-'): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const configDir = join(dir, 'config')
  const dataDir = join(dir, 'data')
  return {
    dir,
    configDir,
    dataDir,
    configFile: join(configDir, 'config.json'),
    env: {CARAVAN_CONFIG_DIR: configDir, CARAVAN_DATA_DIR: dataDir},
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}

/** A port nothing listens on (bound then released). */
export function closedPort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as {port: number}
      server.close(() => resolvePromise(port))
    })
  })
}

export interface ServerProcess {
  /** The relay's process id (to look at its memory, say). */
  pid: number
  url: string
  apiKey: string
  projectId: string
  dataDir: string
  port: number
  /** Output so far. */
  stdout(): string
  stderr(): string
  /** False once the process has exited (e.g. crashed, or was killed by something else). */
  running(): boolean
  /** SIGTERM, then wait for exit (SIGKILL after `graceMs`). Asserting the exit code is the caller's job. */
  stop(opts?: {graceMs?: number}): Promise<CliResult>
}

/**
 * Spawn `caravan server --port 0 --json`, wait for the ready line on stderr and the JSON
 * line on stdout. Rejects (and kills the child) if it exits or stays silent.
 */
export function startServerProcess(env: Env, opts: {args?: string[]; timeoutMs?: number} = {}): Promise<ServerProcess> {
  assertBuilt()
  const fullEnv = buildEnv(env)
  const timeoutMs = opts.timeoutMs ?? 20_000
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [BIN, 'server', '--port', '0', '--json', ...(opts.args ?? [])], {
      cwd: ROOT,
      env: fullEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    track(child)
    let stdout = ''
    let stderr = ''
    let ready = false
    let exited: CliResult | undefined
    const exitedPromise = new Promise<CliResult>((resolveExit) => {
      child.once('close', (code, signal) => {
        exited = {code, signal, stdout, stderr}
        resolveExit(exited)
      })
    })

    const fail = (message: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`${message}\nstdout: ${stdout}\nstderr: ${stderr}`))
    }
    const timer = setTimeout(() => fail(`caravan server was not ready within ${timeoutMs}ms`), timeoutMs)

    const check = () => {
      if (ready || !/Caravan relay ready on /.test(stderr) || !stdout.includes('\n')) return
      ready = true
      clearTimeout(timer)
      let info: {url: string; data_dir: string; project_id: string; api_key: string}
      try {
        info = JSON.parse(stdout.split('\n')[0])
      } catch {
        fail('caravan server --json printed a first stdout line that is not JSON')
        return
      }
      const stop = async ({graceMs = 10_000} = {}): Promise<CliResult> => {
        if (exited) return exited
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs)
        const result = await exitedPromise
        clearTimeout(killer)
        return result
      }
      resolvePromise({
        pid: child.pid!,
        url: info.url,
        apiKey: info.api_key,
        projectId: info.project_id,
        dataDir: info.data_dir,
        port: Number(new URL(info.url).port),
        stdout: () => stdout,
        stderr: () => stderr,
        running: () => exited === undefined,
        stop,
      })
    }
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
      check()
    })
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
      check()
    })
    child.once('error', (error) => fail(`could not spawn caravan server: ${error.message}`))
    void exitedPromise.then((result) => {
      if (!ready) fail(`caravan server exited with code ${result.code} before it was ready`)
    })
  })
}

/** The profiles file as the CLI wrote it. */
export function readProfiles(configFile: string): {
  current: string
  profiles: Record<string, {gateway?: string; apiKey?: string; project?: string}>
} {
  return JSON.parse(readFileSync(configFile, 'utf8'))
}

/** ESC, as in any ANSI colour or cursor sequence. */
export const ANSI = /\u001B\[/
