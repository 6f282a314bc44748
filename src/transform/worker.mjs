// @ts-check
/**
 * The sandbox's worker thread: loads QuickJS once and runs one job per message, so user
 * code never runs on the relay's event loop (see sandbox.ts for the main side).
 *
 * Plain JavaScript on purpose: a Worker cannot load a .ts file, and this one file must
 * start both from src/ (vitest runs the TypeScript sources) and from dist/ (the build
 * copies it), so it needs no compile step.
 */
import {parentPort} from 'node:worker_threads'

import variantExport from '@jitl/quickjs-wasmfile-release-sync'
import {newQuickJSWASMModuleFromVariant, shouldInterruptAfterDeadline} from 'quickjs-emscripten-core'

const MAX_LOG_LINES = 50
const MAX_LOG_LINE = 1000

/**
 * @typedef {{timeMs: number, memoryBytes: number}} Limits
 * @typedef {{id: number, kind: 'transform' | 'check', source: string, input: string, limits: Limits}} Job
 * @typedef {{id: number, ok: true, output: string, log: string[]} | {id: number, ok: false, error: string, log: string[]}} Answer
 */

/**
 * @param {unknown} dumped
 * @param {Limits} limits
 */
function describeError(dumped, limits) {
  const error = /** @type {{name?: string, message?: string} | string | undefined} */ (dumped)
  if (typeof error === 'object' && error) {
    if (error.name === 'InternalError' && error.message === 'interrupted')
      return `the function ran longer than ${limits.timeMs} ms and was stopped`
    if (error.message === 'out of memory')
      return `the function used more than ${limits.memoryBytes} bytes of memory and was stopped`
    return `${error.name ?? 'Error'}: ${error.message ?? String(error)}`
  }
  return String(error)
}

/**
 * @param {import('quickjs-emscripten-core').QuickJSContext} vm
 * @param {string[]} log
 */
function installConsole(vm, log) {
  const consoleObject = vm.newObject()
  const logFn = vm.newFunction('log', (...args) => {
    if (log.length < MAX_LOG_LINES) {
      const line = args.map((a) => {
        const value = vm.dump(a)
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

/** @param {string} source */
const transformProgram = (source) => `${source}
;(function () {
  if (typeof transform !== 'function') throw new TypeError('the function must define transform(payload)')
  const out = JSON.stringify(transform(JSON.parse(__caravanInput)))
  if (out === undefined) throw new TypeError('transform(payload) returned nothing a webhook can carry (undefined or a function)')
  return out
})()`

/** Defines transform() without calling it: the save-time check. */
const checkProgram = (/** @type {string} */ source) =>
  `${source}\n;(function () { if (typeof transform !== 'function') throw new TypeError('the function must define transform(payload)'); return '' })()`

/**
 * Evaluate the job's program in a fresh, limited engine; its completion value is a string
 * (the transform's output as JSON text, or '' for a check).
 * @param {import('quickjs-emscripten-core').QuickJSWASMModule} engine
 * @param {Job} job
 * @returns {Answer}
 */
function run(engine, job) {
  const {id, limits} = job
  /** @type {string[]} */
  const log = []
  const runtime = engine.newRuntime()
  runtime.setMemoryLimit(limits.memoryBytes)
  runtime.setMaxStackSize(512 * 1024)
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + limits.timeMs))
  const vm = runtime.newContext()
  try {
    installConsole(vm, log)
    const handle = vm.newString(job.input)
    vm.setProp(vm.global, '__caravanInput', handle)
    handle.dispose()
    const program = job.kind === 'check' ? checkProgram(job.source) : transformProgram(job.source)
    const result = vm.evalCode(program, 'transform.js')
    if (result.error) {
      const dumped = vm.dump(result.error)
      result.error.dispose()
      return {id, ok: false, error: describeError(dumped, limits), log}
    }
    const output = vm.getString(result.value)
    result.value.dispose()
    return {id, ok: true, output, log}
  } catch (error) {
    // The engine itself gave up (e.g. out of memory while setting up): still just a failed run.
    return {id, ok: false, error: describeError({message: /** @type {Error} */ (error).message}, limits), log}
  } finally {
    vm.dispose()
    runtime.dispose()
  }
}

const port = parentPort
if (!port) throw new Error('transform/worker.mjs runs as a worker thread (see sandbox.ts)')
// The package's types describe its CommonJS build; under ESM the default import is the variant itself.
const variant = /** @type {import('quickjs-emscripten-core').QuickJSSyncVariant} */ (
  /** @type {unknown} */ (variantExport)
)
try {
  const engine = await newQuickJSWASMModuleFromVariant(variant)
  // V8 compiles WebAssembly functions on first call: one run now, so the first user's function
  // is not charged for that against its 100 ms.
  const warm = {
    source: 'function transform(p) { return p }',
    input: '{"a":[1]}',
    limits: {timeMs: 10_000, memoryBytes: 16 << 20},
  }
  run(engine, {id: 0, kind: 'check', ...warm})
  run(engine, {id: 0, kind: 'transform', ...warm})
  port.on('message', (/** @type {Job} */ job) => port.postMessage(run(engine, job)))
  port.postMessage({ready: true})
} catch (error) {
  port.postMessage({ready: false, error: /** @type {Error} */ (error).message})
}
