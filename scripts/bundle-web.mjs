// Build step: bundle the browser apps served by the relay — the operator dashboard (/ui)
// and the customer portal (/portal) — from web/ into dist/web/{ui,portal}/. Two separate
// bundles, so the portal carries no operator code. Assets get content hashes in their
// names (served immutable); index.html names them and is served no-cache.
import {build} from 'esbuild'
import {mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {basename, dirname, relative, resolve} from 'node:path'
import {fileURLToPath} from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** Each app and its page title; both pages come from web/shared/index.html. */
const apps = ['ui', 'portal']
const titles = {ui: 'Caravan', portal: 'Webhooks'}
const template = readFileSync(resolve(root, 'web/shared/index.html'), 'utf8')
for (const marker of ['<!-- assets -->', '<!-- title -->'])
  if (!template.includes(marker)) throw new Error(`web/shared/index.html has no ${marker} marker`)
const sizes = {}

const started = performance.now()
for (const app of apps) {
  const outdir = resolve(root, 'dist/web', app)
  rmSync(outdir, {recursive: true, force: true})
  mkdirSync(outdir, {recursive: true})
  const result = await build({
    entryPoints: {app: resolve(root, 'web', app, 'main.tsx')},
    outdir,
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    jsx: 'automatic',
    define: {'process.env.NODE_ENV': '"production"'},
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const outputs = Object.keys(result.metafile.outputs).map((p) => resolve(root, p))
  const js = outputs.find((p) => p.endsWith('.js'))
  const css = outputs.find((p) => p.endsWith('.css'))
  if (!js) throw new Error(`no JavaScript bundle for ${app}`)
  const tags =
    (css ? `<link rel="stylesheet" href="/${app}/assets/${basename(css)}">\n    ` : '') +
    `<script type="module" src="/${app}/assets/${basename(js)}"></script>`
  const html = template.replace('<!-- title -->', titles[app]).replace('<!-- assets -->', tags)
  // Assets live in assets/, the page at the top: the server tells them apart by directory.
  mkdirSync(resolve(outdir, 'assets'), {recursive: true})
  for (const file of outputs) {
    writeFileSync(resolve(outdir, 'assets', basename(file)), readFileSync(file))
    rmSync(file)
  }
  writeFileSync(resolve(outdir, 'index.html'), html)
  const size = (p) => (p ? readFileSync(resolve(outdir, 'assets', basename(p))).length : 0)
  sizes[app] = {js: size(js), css: size(css), html: Buffer.byteLength(html)}
}
writeFileSync(resolve(root, 'dist/web/sizes.json'), JSON.stringify(sizes, null, 2) + '\n')
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`
console.log(
  `bundled ${apps.map((a) => `${relative(root, resolve(root, 'dist/web', a))} (js ${kib(sizes[a].js)}, css ${kib(sizes[a].css)})`).join(', ')} in ${(performance.now() - started).toFixed(0)} ms`,
)
