// The host's look, as svix-react passes it (`?darkMode=true|auto&primaryColor=…&fontFamily=…&icon=…`),
// applied through the CSSOM (the CSP allows no inline styles), and the iframe's height told to
// the host page so svix-react's `fullSize` can fit the frame to the content.

const STORAGE = 'caravan.portal.theme'

export interface Theme {
  darkMode?: string
  primaryColor?: string
  fontFamily?: string
  icon?: string
}

/** From the query string when given there, else what this tab was opened with. */
export function readTheme(): Theme {
  const query = new URLSearchParams(location.search)
  const names = ['darkMode', 'primaryColor', 'fontFamily', 'icon'] as const
  if (names.some((n) => query.has(n))) {
    const theme: Theme = {}
    for (const n of names) {
      const value = query.get(n)
      if (value) theme[n] = value.slice(0, 500)
    }
    sessionStorage.setItem(STORAGE, JSON.stringify(theme))
    return theme
  }
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE) ?? '{}') as Theme
  } catch {
    return {}
  }
}

/** The icon only from places the portal's CSP lets it load (https, data: images, this relay). */
export function safeIcon(icon: string | undefined): string | undefined {
  if (!icon) return undefined
  if (/^data:image\/(png|gif|jpeg|webp|svg\+xml)[;,]/i.test(icon)) return icon
  try {
    const url = new URL(icon, location.href)
    return url.protocol === 'https:' || url.origin === location.origin ? url.href : undefined
  } catch {
    return undefined
  }
}

export function applyTheme(theme: Theme): void {
  const root = document.documentElement
  const dark =
    theme.darkMode === 'true' || (theme.darkMode === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches)
  root.classList.toggle('dark', dark)
  if (theme.primaryColor && CSS.supports('color', theme.primaryColor))
    root.style.setProperty('--primary', theme.primaryColor)
  if (theme.fontFamily && CSS.supports('font-family', theme.fontFamily))
    root.style.setProperty('--font', `${theme.fontFamily}, system-ui, sans-serif`)
}

/** Posts svix-react's resize message whenever the content's height changes (only when framed). */
export function reportHeight(element: HTMLElement): void {
  if (window.parent === window) return
  let last = -1
  const post = () => {
    const height = Math.ceil(element.getBoundingClientRect().height)
    if (height === last) return
    last = height
    window.parent.postMessage({type: 'svix.iframe-resizer-height', payload: {height}}, '*')
  }
  new ResizeObserver(post).observe(element)
  post()
}
