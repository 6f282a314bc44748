import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {gzipSync} from 'node:zlib'

import {chromium} from 'playwright-core'

import {CHROMIUM_ARGS, findChromium} from '../chromium.js'
import {type Harness, progress, ROOT} from '../harness.js'
import type {Row, Section} from '../report.js'
import {summarize} from '../stats.js'

/** A relay holding a large seeded store (the store section's), for the dashboard to open. */
export interface SeededRelay {
  url: string
  apiKey: string
  projectId: string
  events: number
  /** The newest event: the first row the list must show. */
  newestId: string
}

const LOADS = 5
const FIRST_ROWS_GOAL_MS = 1000

/** Bundle sizes of the two browser apps, raw and gzipped, from dist/web. */
function bundleRows(): Row[] {
  const rows: Row[] = []
  for (const app of ['ui', 'portal']) {
    const dir = join(ROOT, 'dist/web', app, 'assets')
    let files: string[]
    try {
      files = readdirSync(dir)
    } catch {
      rows.push({label: `/${app} bundle`, values: {note: 'not built (npm run build)'}})
      continue
    }
    for (const ext of ['js', 'css']) {
      const bytes = files.filter((f) => f.endsWith(`.${ext}`)).map((f) => readFileSync(join(dir, f)))
      const raw = bytes.reduce((n, b) => n + b.length, 0)
      const gz = bytes.reduce((n, b) => n + gzipSync(b, {level: 9}).length, 0)
      rows.push({label: `/${app} ${ext}`, values: {kib: raw / 1024, gzip_kib: gz / 1024}})
    }
  }
  return rows
}

/**
 * The dashboard on a large store: time from navigation start to the newest event's row on
 * screen, each load in a fresh browser context (cold cache: HTML, bundle, API calls), and
 * the bundles' sizes.
 */
export async function runWeb(h: Harness, seeded: SeededRelay): Promise<Section> {
  return h.scope(async () => {
    const rows: Row[] = []
    const notes: string[] = []
    const facts: Record<string, unknown> = {}
    const executablePath = findChromium()
    if (!executablePath) {
      notes.push('first rows not measured: no Chromium (apt-get install chromium, or set CARAVAN_CHROMIUM).')
    } else {
      progress(`web: opening the dashboard on ${seeded.events.toLocaleString('en-US')} events, ${LOADS} cold loads`)
      const browser = await chromium.launch({executablePath, args: CHROMIUM_ARGS})
      h.defer('close chromium', () => browser.close())
      const url = `${seeded.url}/ui/${seeded.projectId}/events#key=${encodeURIComponent(seeded.apiKey)}`
      const times: number[] = []
      let failed: string | undefined
      for (let run = -1; run < LOADS && !failed; run++) {
        const context = await browser.newContext()
        try {
          const page = await context.newPage()
          await page.goto(url, {waitUntil: 'commit'})
          const row = page.locator(`a[href$="/events/${seeded.newestId}"]`).first()
          // A report, not a check: a page that never shows the row is a figure too.
          const shown = await row.waitFor({timeout: 30_000}).then(
            () => true,
            (error: Error) => ((failed = error.message.split('\n')[0]), false),
          )
          // Milliseconds since this navigation started, by the page's own clock.
          const ms = (await page.evaluate('performance.now()')) as number
          if (shown && run >= 0) times.push(ms)
        } finally {
          await context.close()
        }
      }
      const s = summarize(times)
      if (failed) notes.push(`the newest event's row did not appear: ${failed}`)
      rows.push({
        label: `first rows, ${seeded.events.toLocaleString('en-US')} events stored`,
        values: {
          median_ms: s.p50,
          min_ms: s.min,
          max_ms: s.max,
          goal: `≤ ${FIRST_ROWS_GOAL_MS} ms ${s.p50 !== null && s.p50 <= FIRST_ROWS_GOAL_MS ? '✅' : '❌'}`,
        },
      })
      facts.first_rows_ms = s
      notes.push(
        `first rows = navigation start → the newest event's row in the list (performance.now() in the page), ${LOADS} loads after one warm-up, each in a fresh browser context (no cache, no sessionStorage), Chromium ${browser.version()} headless.`,
      )
    }
    rows.push(...bundleRows())
    notes.push(
      'bundles: minified by esbuild at build time (React + react-dom included); gzip at level 9 for reference.',
    )
    return {
      id: 'web',
      title: '10. Web dashboard',
      columns: [
        {key: 'median_ms', header: 'median ms'},
        {key: 'min_ms', header: 'min ms'},
        {key: 'max_ms', header: 'max ms'},
        {key: 'goal', header: 'goal'},
        {key: 'kib', header: 'KiB'},
        {key: 'gzip_kib', header: 'gzip KiB'},
        {key: 'note', header: 'note'},
      ],
      rows,
      notes,
      facts,
    }
  })
}
