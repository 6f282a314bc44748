import variantExport from '@jitl/quickjs-wasmfile-release-sync'
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSSyncVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSWASMModule,
  shouldInterruptAfterDeadline,
} from 'quickjs-emscripten-core'

/**
 * Convoy's transformation functions (`function transform(payload) { … }`) run in QuickJS
 * compiled to WebAssembly: a separate JavaScript engine with its own heap, no access to
 * Node, the file system or the network (nothing is exposed to it but `console.log`), a
 * memory limit and a time limit. Not `node:vm`, which shares the host's engine and can be
 * escaped.
 */

export interface SandboxLimits {
  /** Wall-clock budget of one run; the engine is interrupted past it (runs are synchronous, so this is CPU time). */
  timeMs: number
  memoryBytes: number
}

/**
 * A run holds the relay's event loop (ingest, API, every other delivery) for as long as it
 * takes, so the time limit is kept short: a payload transform needs microseconds, and a
 * function that loops forever (any API key can save one) costs 100 ms per attempt, not 1 s.
 */
export const DEFAULT_LIMITS: SandboxLimits = {timeMs: 100, memoryBytes: 16 * 1024 * 1024}

/** Largest function source accepted. */
export const MAX_FUNCTION_BYTES = 64 * 1024
const MAX_LOG_LINES = 50
const MAX_LOG_LINE = 1000

export type TransformResult = {ok: true; payload: unknown; log: string[]} | {ok: false; error: string; log: string[]}

// The package's types describe its CommonJS build; under ESM the default import is the variant itself.
const variant = variantExport as unknown as QuickJSSyncVariant

let loading: Promise<QuickJSWASMModule> | undefined
let loaded: QuickJSWASMModule | undefined

/** Load the engine once (about 20 ms); every run after that is synchronous. */
export async function loadSandbox(): Promise<QuickJSWASMModule> {
  loading ??= newQuickJSWASMModuleFromVariant(variant).then((m) => (loaded = m))
  return loading
}

function describeError(dumped: unknown, limits: SandboxLimits): string {
  const error = dumped as {name?: string; message?: string} | string | undefined
  if (typeof error === 'object' && error) {
    if (error.name === 'InternalError' && error.message === 'interrupted')
      return `the function ran longer than ${limits.timeMs} ms and was stopped`
    if (error.message === 'out of memory')
      return `the function used more than ${limits.memoryBytes} bytes of memory and was stopped`
    return `${error.name ?? 'Error'}: ${error.message ?? String(error)}`
  }
  return String(error)
}

function installConsole(vm: QuickJSContext, log: string[]): void {
  const consoleObject = vm.newObject()
  const logFn = vm.newFunction('log', (...args: QuickJSHandle[]) => {
    if (log.length < MAX_LOG_LINES) {
      const line = args.map((a) => {
        const value: unknown = vm.dump(a)
        return typeof value === 'string' ? value : JSON.stringify(value)
      })
      log.push(line.join(' ').slice(0, MAX_LOG_LINE))
    }
  })
  vm.setProp(consoleObject, 'log', logFn)
  vm.setProp(vm.global, 'console', consoleObject)
  logFn.dispose()
  consoleObject.dispose()
}

/** Evaluate `program` in a fresh, limited engine; its completion value must be a string. */
function evaluate(program: string, input: string, limits: SandboxLimits): TransformResult {
  if (!loaded) throw new Error('the transformation sandbox is not loaded (call loadSandbox first)')
  const log: string[] = []
  const runtime = loaded.newRuntime()
  runtime.setMemoryLimit(limits.memoryBytes)
  runtime.setMaxStackSize(512 * 1024)
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + limits.timeMs))
  const vm = runtime.newContext()
  try {
    installConsole(vm, log)
    const handle = vm.newString(input)
    vm.setProp(vm.global, '__caravanInput', handle)
    handle.dispose()
    const result = vm.evalCode(program, 'transform.js')
    if (result.error) {
      const dumped: unknown = vm.dump(result.error)
      result.error.dispose()
      return {ok: false, error: describeError(dumped, limits), log}
    }
    const text = vm.getString(result.value)
    result.value.dispose()
    return {ok: true, payload: text, log}
  } catch (error) {
    // The engine itself gave up (e.g. out of memory while setting up): still just a failed run.
    return {ok: false, error: describeError({message: (error as Error).message}, limits), log}
  } finally {
    vm.dispose()
    runtime.dispose()
  }
}

/**
 * Run `transform(payload)` from `source` on a JSON value; the result must be JSON too.
 * Needs loadSandbox() to have finished. Never throws for anything the function does.
 */
export function runTransform(
  source: string,
  payload: unknown,
  limits: SandboxLimits = DEFAULT_LIMITS,
): TransformResult {
  if (Buffer.byteLength(source) > MAX_FUNCTION_BYTES)
    return {ok: false, error: `the function is longer than ${MAX_FUNCTION_BYTES} bytes`, log: []}
  const program = `${source}
;(function () {
  if (typeof transform !== 'function') throw new TypeError('the function must define transform(payload)')
  const out = JSON.stringify(transform(JSON.parse(__caravanInput)))
  if (out === undefined) throw new TypeError('transform(payload) returned nothing a webhook can carry (undefined or a function)')
  return out
})()`
  const result = evaluate(program, JSON.stringify(payload ?? null), limits)
  return result.ok ? {...result, payload: JSON.parse(result.payload as string)} : result
}

/**
 * Null when `source` defines transform() (without calling it), else what is wrong: checked
 * when a function is saved. Needs loadSandbox() to have finished.
 */
export function functionProblem(source: string): string | null {
  if (Buffer.byteLength(source) > MAX_FUNCTION_BYTES) return `the function is longer than ${MAX_FUNCTION_BYTES} bytes`
  const result = evaluate(
    `${source}\n;(function () { if (typeof transform !== 'function') throw new TypeError('the function must define transform(payload)'); return '' })()`,
    'null',
    DEFAULT_LIMITS,
  )
  return result.ok ? null : result.error
}
