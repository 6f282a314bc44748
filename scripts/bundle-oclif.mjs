// Build step after tsc: bundle @oclif/core (and what it requires: semver, minimatch, ejs,
// debug, …) into one file, dist/oclif-core.js, and point the compiled CLI at it. Node then
// reads and compiles one file instead of resolving ~150 modules one by one, which was
// most of every command's start-up (importing the package took ~45 ms, the bundle ~24 ms).
//
// Every `@oclif/core` import in dist/ (commands, hooks, the base command) is rewritten to the
// bundle, and bin/run.js loads it, so the CLI holds one copy of oclif's classes. The
// help and autocomplete plugins keep their own import of the package: it loads only when
// one of their commands runs. Tests run the TypeScript sources, which import the package.
import {build} from 'esbuild'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const dist = resolve(root, 'dist')
const outfile = resolve(dist, 'oclif-core.js')

// ESM, not CJS: Node would run its CommonJS export scanner over the whole file on every
// start (~45 ms, more than the bundle saves). The entry re-exports every name the package
// exports, so `import {Command, Flags} from …` works as it does against the package.
const require = createRequire(import.meta.url)
const names = Object.keys(require('@oclif/core')).filter((name) => name !== 'default' && name !== '__esModule')
await build({
  stdin: {contents: `export {${names.join(', ')}} from '@oclif/core'`, resolveDir: root, loader: 'js'},
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // The package is CommonJS: give its code the require/__dirname it expects.
  banner: {
    js: [
      "import {createRequire as __caravanRequire} from 'node:module'",
      "import {dirname as __caravanDirname} from 'node:path'",
      "import {fileURLToPath as __caravanPath} from 'node:url'",
      'const require = __caravanRequire(import.meta.url)',
      'const __filename = __caravanPath(import.meta.url)',
      'const __dirname = __caravanDirname(__filename)',
    ].join('\n'),
  },
  // oclif reads TypeScript only to run a plugin from its .ts sources (development); it
  // requires it lazily then. Bundling it would add 9 MB for nothing.
  external: ['typescript'],
  logLevel: 'error',
})

/** The compiled files that import @oclif/core, with that import pointed at the bundle. */
const IMPORT = /(from\s+|import\(\s*)'@oclif\/core'/g
let rewritten = 0
function rewrite(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) {
      rewrite(path)
      continue
    }
    if (!name.endsWith('.js')) continue
    const code = readFileSync(path, 'utf8')
    if (!code.includes('@oclif/core')) continue
    const target = relative(dirname(path), outfile).split(sep).join('/')
    const next = code.replace(IMPORT, (_, lead) => `${lead}'${target.startsWith('.') ? target : `./${target}`}'`)
    if (next === code) continue
    writeFileSync(path, next)
    rewritten++
  }
}
for (const dir of ['commands', 'src']) rewrite(resolve(dist, dir))

const kib = (bytes) => `${Math.round(bytes / 1024)} KiB`
console.log(
  `bundled @oclif/core: ${relative(root, outfile)} (${kib(statSync(outfile).size)}); ${rewritten} files point at it`,
)
