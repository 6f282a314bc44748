// Build step after tsc: bundle the inspector's screen (dist/src/tui/inspector.js) with ink,
// React and their dependencies into one file, dist/src/tui/inspector.bundle.js. Node loads
// one file in a fraction of the time it takes to resolve and compile the ~600 modules
// ink pulls in, which was most of `caravan inspect`'s start-up.
//
// Caravan's own modules outside src/tui (the client, errors) are not copied in: they stay
// imports of the same files the command already loaded, so there is one CaravanError
// class and one HTTP client, whichever side throws or calls.
import {build} from 'esbuild'
import {statSync} from 'node:fs'
import {dirname, relative, resolve} from 'node:path'
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
    // ink imports React DevTools only when DEV=true, and it is not installed: in that case
    // the import fails and ink says how to install it, as it does unbundled.
    b.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'missing'}))
    b.onLoad({filter: /.*/, namespace: 'missing'}, () => ({
      contents: `throw new Error("Cannot find package 'react-devtools-core'")`,
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
  define: {'process.env.NODE_ENV': '"production"'},
  external: ['ws', 'undici', 'better-sqlite3'],
  // CommonJS dependencies (React, signal-exit) require Node built-ins.
  banner: {
    js: "import {createRequire as __caravanRequire} from 'node:module'; const require = __caravanRequire(import.meta.url);",
  },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'linked',
  logLevel: 'warning',
  plugins: [sharedModules],
})
const kib = (statSync(outfile).size / 1024).toFixed(0)
console.log(`bundled ${relative(root, outfile)} (${kib} KiB) in ${(performance.now() - started).toFixed(0)} ms`)
