// `npm test`'s first step (pretest): the suite drives two programs that npm cannot install —
// tmux (the inspector's terminal test) and Chromium (the dashboard and portal tests, through
// playwright-core, which downloads no browser). Missing ones are installed with apt-get when
// running as root on Debian/Ubuntu; otherwise this says what to install and fails.
import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], {stdio: 'ignore'}).status === 0
const chromium = process.env.CARAVAN_CHROMIUM
const missing = []
if (!has('tmux')) missing.push('tmux')
if (chromium ? !existsSync(chromium) : !has('chromium') && !has('chromium-browser')) missing.push('chromium')
if (missing.length === 0) process.exit(0)

if (chromium && missing.includes('chromium')) {
  console.error(`CARAVAN_CHROMIUM names ${chromium}, which does not exist`)
  process.exit(1)
}
const root = typeof process.getuid === 'function' && process.getuid() === 0
if (!root || !has('apt-get')) {
  console.error(
    `The tests need ${missing.join(' and ')}: install ${missing.length > 1 ? 'them' : 'it'} (e.g. sudo apt-get install ${missing.join(' ')}), or point CARAVAN_CHROMIUM at a Chromium binary.`,
  )
  process.exit(1)
}
console.error(`installing ${missing.join(', ')} for the tests (apt-get)…`)
const env = {...process.env, DEBIAN_FRONTEND: 'noninteractive'}
try {
  execFileSync('apt-get', ['update', '-qq'], {stdio: ['ignore', 'ignore', 'inherit'], env})
  execFileSync('apt-get', ['install', '-y', '-qq', ...missing], {stdio: ['ignore', 'ignore', 'inherit'], env})
} catch {
  console.error(`could not install ${missing.join(' ')} with apt-get`)
  process.exit(1)
}
