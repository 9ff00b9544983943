/**
 * "Did you mean" suggestions in bounded work. The distance is computed in a band of width `2 * limit + 1` around
 * the diagonal, so one comparison costs O(length × limit); and every validation run gets one `Suggester` with a
 * budget of cells, after which it stops suggesting. Many unknown names against many candidates (a config with
 * thousands of unknown health entries and thousands of containers) therefore cost at most the budget, not their
 * product.
 */

/** Levenshtein cells one validation run may compute for suggestions (a few milliseconds' work). */
export const SUGGESTION_BUDGET = 250_000

/** Cells computed by `distance` since the module was loaded: a counter for the tests that prove the work bounded. */
export const suggestionWork = { cells: 0 }

/** Two rows reused by every `distance` call (grown when a longer name comes), so that a comparison allocates nothing. */
let scratch: Int32Array[] = [new Int32Array(64), new Int32Array(64)]

/** Levenshtein distance in a band of ±`limit`: `limit + 1` as soon as the distance must exceed `limit`. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  const big = limit + 1
  if (scratch[0]!.length <= b.length) scratch = [new Int32Array(2 * b.length + 2), new Int32Array(2 * b.length + 2)]
  let [prev, row] = scratch as [Int32Array, Int32Array]
  for (let j = 0; j <= b.length; j++) prev[j] = j <= limit ? j : big
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - limit)
    const to = Math.min(b.length, i + limit)
    // Cells of the previous row outside its band count as `big`; so does the cell left of this row's band.
    const prevTo = Math.min(b.length, i - 1 + limit)
    row[from - 1] = from === 1 ? (i <= limit ? i : big) : big
    let best = row[from - 1]!
    for (let j = from; j <= to; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      const up = j <= prevTo ? prev[j]! : big
      const value = Math.min(up + 1, row[j - 1]! + 1, prev[j - 1]! + cost, big)
      row[j] = value
      if (value < best) best = value
    }
    suggestionWork.cells += to - from + 1
    if (best > limit) return big
    const swap = prev
    prev = row
    row = swap
  }
  return prev[b.length]!
}

/**
 * The known name closest to `input` (case-insensitive) when it is close enough to be a likely typo. Each candidate
 * looked at and each distance cell is taken from `budget`; when it runs out, the best match so far is returned.
 */
export function closest(
  input: string,
  known: Iterable<string>,
  budget: { cells: number } = { cells: SUGGESTION_BUDGET },
): string | undefined {
  const needle = input.toLowerCase()
  const limit = Math.max(1, Math.min(3, Math.floor(needle.length / 3)))
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of known) {
    if (--budget.cells < 0) return best
    if (Math.abs(candidate.length - needle.length) > limit) continue
    budget.cells -= (Math.min(needle.length, candidate.length) + 1) * (2 * limit + 1)
    const d = distance(needle, candidate.toLowerCase(), limit)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(input: string, known: Iterable<string>, budget?: { cells: number }): string {
  const match = closest(input, known, budget)
  return match === undefined ? '' : ` (did you mean "${match}"?)`
}
