/** Edit distance (insertions, deletions, substitutions, adjacent swaps) between two short strings. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/**
 * The candidate closest to `input`, when it is close enough to be a typo (at most a third
 * of the input's length away), else undefined: "did you mean" must not guess wildly.
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  let best: {name: string; distance: number} | undefined
  for (const name of candidates) {
    const distance = editDistance(input, name)
    if (!best || distance < best.distance) best = {name, distance}
  }
  if (!best) return undefined
  return best.distance <= Math.max(1, Math.floor(input.length / 3)) ? best.name : undefined
}
