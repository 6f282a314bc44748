import {type Browser, type BrowserContext, chromium, type Page} from 'playwright-core'
import {afterAll, beforeAll, expect} from 'vitest'

import {CHROMIUM_ARGS, findChromium} from '../../bench/chromium.js'

/**
 * Browser tests drive Debian's `chromium` (installed by .ci/run; CARAVAN_CHROMIUM names
 * another binary) with playwright-core, whose protocol version matches it. A missing
 * browser fails the tests: it is part of the test set-up, not optional.
 */
export function chromiumPath(): string {
  const found = findChromium()
  if (!found)
    throw new Error(
      'no Chromium found (CARAVAN_CHROMIUM, /usr/bin/chromium): apt-get install chromium (npm test does it as root)',
    )
  return found
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({executablePath: chromiumPath(), args: CHROMIUM_ARGS})
}

/** One browser for the file: started before its tests, closed after. */
export function useBrowser(): () => Browser {
  let browser: Browser | undefined
  beforeAll(async () => {
    browser = await launchBrowser()
  })
  afterAll(async () => {
    await browser?.close()
  })
  return () => {
    if (!browser) throw new Error('the browser is not started (useBrowser() at the top of the file)')
    return browser
  }
}

export interface WatchedPage {
  page: Page
  context: BrowserContext
  /** Console errors, uncaught exceptions and CSP violations seen so far. */
  problems: string[]
  /** Assert the page logged no error and broke no CSP rule. */
  expectClean(): void
}

/**
 * A fresh context (own sessionStorage, clipboard allowed) and page whose console errors,
 * page errors and CSP violations are collected: every test ends expecting none unless it
 * provokes one on purpose.
 */
export async function openPage(browser: Browser, opts: {allow?: RegExp[]} = {}): Promise<WatchedPage> {
  const context = await browser.newContext({viewport: {width: 1280, height: 800}})
  const page = await context.newPage()
  const problems: string[] = []
  const allowed = (text: string) => (opts.allow ?? []).some((re) => re.test(text))
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed(msg.text())) problems.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  // A string: this file is compiled without the DOM's types; the script runs in the page.
  await page.addInitScript(`document.addEventListener('securitypolicyviolation', (e) => {
    console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI)
  })`)
  return {
    page,
    context,
    problems,
    expectClean: () => expect(problems).toEqual([]),
  }
}
