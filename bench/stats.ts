/** Small statistics helpers: nearest-rank percentiles over raw samples, no interpolation. */

export function sorted(samples: ArrayLike<number>): number[] {
  return Array.from(samples)
    .filter((x) => Number.isFinite(x))
    .sort((a, b) => a - b)
}

/** Nearest-rank percentile (p in 0..100) of already sorted samples; null when empty. */
export function percentile(sortedSamples: readonly number[], p: number): number | null {
  if (sortedSamples.length === 0) return null
  const rank = Math.max(1, Math.ceil((p / 100) * sortedSamples.length))
  return sortedSamples[Math.min(rank, sortedSamples.length) - 1]
}

export interface Summary {
  n: number
  min: number | null
  p50: number | null
  p90: number | null
  p99: number | null
  max: number | null
}

export function summarize(samples: ArrayLike<number>): Summary {
  const s = sorted(samples)
  return {
    n: s.length,
    min: s[0] ?? null,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s.at(-1) ?? null,
  }
}

export function median(samples: ArrayLike<number>): number | null {
  return percentile(sorted(samples), 50)
}

/** Per-second rate of `count` things done in `ms` milliseconds. */
export function rate(count: number, ms: number): number | null {
  return ms > 0 ? (count * 1000) / ms : null
}
