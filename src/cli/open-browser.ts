import {spawn} from 'node:child_process'

/**
 * Why a browser cannot be opened from here (CI, no display, no stdin), or undefined when
 * it is worth trying. The URL is printed either way.
 */
export function noBrowserReason(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string | undefined {
  if (env.CI && env.CI !== 'false') return 'running in CI'
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'no display (DISPLAY is not set)'
  return undefined
}

/** The platform's "open this URL" command. */
function opener(url: string, platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return ['open', [url]]
  // `start` is a cmd built-in; its first quoted argument is the window title.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
  return ['xdg-open', [url]]
}

/** Open `url` in the default browser; resolves false when the opener is missing or fails to start. */
export function openBrowser(url: string): Promise<boolean> {
  const [command, args] = opener(url)
  return new Promise((resolve) => {
    try {
      const child = spawn(command, args, {stdio: 'ignore', detached: true})
      child.once('error', () => resolve(false))
      child.once('spawn', () => {
        child.unref()
        resolve(true)
      })
    } catch {
      resolve(false)
    }
  })
}
