/** Levenshtein distance, bounded: returns `limit + 1` as soon as the distance must exceed `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    let best = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      const value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost)
      row.push(value)
      if (value < best) best = value
    }
    if (best > limit) return limit + 1
    prev = row
  }
  return prev[b.length]!
}

/** The known name closest to `input` (case-insensitive), when it is close enough to be a likely typo. */
export function closest(input: string, known: Iterable<string>): string | undefined {
  const needle = input.toLowerCase()
  const limit = Math.max(1, Math.min(3, Math.floor(needle.length / 3)))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of known) {
    const d = distance(needle, candidate.toLowerCase(), limit)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(input: string, known: Iterable<string>): string {
  const match = closest(input, known)
  return match === undefined ? '' : ` (did you mean "${match}"?)`
}
