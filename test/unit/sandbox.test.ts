import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {Sandbox} from '../../src/transform/sandbox.js'

// One worker for the file: these tests are about what runs inside it, not its life cycle.
let sandbox: Sandbox
beforeAll(async () => {
  sandbox = await Sandbox.start()
})
afterAll(() => sandbox.close())
const runTransform = (...args: Parameters<Sandbox['runTransform']>) => sandbox.runTransform(...args)
const functionProblem = (source: string) => sandbox.functionProblem(source)

describe('the transformation sandbox (QuickJS in WebAssembly)', () => {
  it('runs transform(payload) and keeps what it logs', async () => {
    const result = await runTransform(
      'function transform(p) { console.log("got", p.amount, {x: 1}); return {total: p.amount * 2, tags: ["a"]} }',
      {amount: 21},
    )
    expect(result).toEqual({ok: true, payload: {total: 42, tags: ['a']}, log: ['got 21 {"x":1}']})
  })

  it('stops a function that loops forever, and one that eats memory', async () => {
    expect(
      await runTransform('function transform(p) { while (true) {} }', {}, {timeMs: 50, memoryBytes: 8 << 20}),
    ).toEqual({
      ok: false,
      error: 'the function ran longer than 50 ms and was stopped',
      log: [],
    })
    const hog = await runTransform(
      'function transform(p) { const a = []; for (let i = 0; ; i++) a.push({i}) }',
      {},
      {
        timeMs: 5000,
        memoryBytes: 8 << 20,
      },
    )
    expect(hog).toMatchObject({ok: false, error: 'the function used more than 8388608 bytes of memory and was stopped'})
  })

  it('reports what a function throws, and a function with no transform', async () => {
    expect(await runTransform('function transform(p) { throw new Error("no " + p.x) }', {x: 'way'})).toMatchObject({
      ok: false,
      error: 'Error: no way',
    })
    expect(await runTransform('const y = 1', {})).toMatchObject({
      ok: false,
      error: 'TypeError: the function must define transform(payload)',
    })
    expect(await runTransform('function transform() {}', {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/returned nothing/),
    })
  })

  it('gives the function no way out: no Node, no I/O, no host objects', async () => {
    const probe = await runTransform(
      `function transform() {
        return [typeof require, typeof process, typeof fetch, typeof globalThis.std, typeof globalThis.os, typeof XMLHttpRequest, typeof setTimeout]
      }`,
      {},
    )
    expect(probe).toEqual({ok: true, payload: Array(7).fill('undefined'), log: []})
  })

  it('checks a function on save without running it', async () => {
    expect(await functionProblem('function transform(p) { while (true) {} }')).toBeNull()
    expect(await functionProblem('function transform(p) {')).toMatch(/^SyntaxError/)
    expect(await functionProblem('function other() {}')).toMatch(/must define transform/)
  })
})
