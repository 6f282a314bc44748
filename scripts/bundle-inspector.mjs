// Build step after tsc: bundle the inspector's screen (dist/src/tui/inspector.js) with ink,
// React and their dependencies into one file, dist/src/tui/inspector.bundle.js. Node loads
// one file in a fraction of the time it takes to resolve and compile the ~600 modules
// ink pulls in, which was most of `caravan inspect`'s start-up.
//
// Caravan's own modules outside src/tui (the client, errors) are not copied in: they stay
// imports of the same files the command already loaded, so there is one CaravanError
// class and one HTTP client, whichever side throws or calls.
import {build} from 'esbuild'
import {readFileSync, statSync} from 'node:fs'
import {dirname, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const tuiDir = resolve(root, 'dist/src/tui')
const entry = resolve(tuiDir, 'inspector.js')
const outfile = resolve(tuiDir, 'inspector.bundle.js')

const sharedModules = {
  name: 'caravan-shared-modules',
  setup(b) {
    b.onResolve({filter: /^\.\.?\//}, (args) => {
      if (!args.importer.startsWith(tuiDir)) return undefined
      const target = resolve(args.resolveDir, args.path)
      if (dirname(target) === tuiDir) return undefined
      // The bundle sits in tuiDir, so the path relative to it stays valid.
      const path = relative(tuiDir, target)
      return {path: path.startsWith('.') ? path : `./${path}`, external: true}
    })
    // ink loads its React DevTools bridge only when DEV=true, and react-devtools-core is
    // not installed: stand in a module that fails as the missing package would, so ink
    // prints its own "install react-devtools-core" warning and goes on, as unbundled. (The
    // bridge also imports ws at load time, which the screen does not need.)
    b.onResolve({filter: /^\.\/devtools\.js$/}, (args) =>
      args.importer.includes(`${sep}ink${sep}`) ? {path: 'ink-devtools', namespace: 'missing'} : undefined,
    )
    // With DEV=true ink also reads its package.json next to its own files, which are not
    // where the bundle is: give it the name and version it reads from there.
    b.onLoad({filter: /[\\/]ink[\\/]build[\\/]reconciler\.js$/}, (args) => {
      const code = readFileSync(args.path, 'utf8')
      const read = "fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')"
      if (!code.includes(read))
        throw new Error(`ink's reconciler no longer reads its package.json as expected: ${args.path}`)
      const {name, version} = JSON.parse(readFileSync(resolve(dirname(args.path), '../package.json'), 'utf8'))
      return {contents: code.replace(read, JSON.stringify(JSON.stringify({name, version}))), loader: 'js'}
    })
    b.onLoad({filter: /.*/, namespace: 'missing'}, () => ({
      contents: `const error = new Error("Cannot find package 'react-devtools-core'"); error.code = 'ERR_MODULE_NOT_FOUND'; throw error`,
      loader: 'js',
    }))
  },
}

const started = performance.now()
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // React's production build: smaller and faster than its development one.
  // yoga-layout's wasm is inlined as a data: URL, which its loader fetches with fetch()
  // when there is one: that loads Node's own fetch and parses the URL slowly. Without
  // fetch it decodes the same bytes directly. Nothing else in the bundle uses fetch.
  define: {'process.env.NODE_ENV': '"production"', fetch: 'undefined'},
  external: ['ws', 'undici', 'better-sqlite3'],
  // CommonJS dependencies (React, signal-exit) require Node built-ins.
  banner: {
    js: "import {createRequire as __caravanRequire} from 'node:module'; const require = __caravanRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [sharedModules],
})
const kib = (statSync(outfile).size / 1024).toFixed(0)
console.log(`bundled ${relative(root, outfile)} (${kib} KiB) in ${(performance.now() - started).toFixed(0)} ms`)
