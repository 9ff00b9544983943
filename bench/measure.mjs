// What the benchmark files share: a rate measured as the median of timed rounds, and how a rate is printed.

/** Operations per second of `fn`, as the median of `rounds` timed rounds of about `ms` milliseconds each. */
export function opsPerSecond(fn, rounds = 7, ms = 150) {
  for (let i = 0; i < 200; i++) fn()
  let batch = 1
  for (;;) {
    const start = performance.now()
    for (let i = 0; i < batch; i++) fn()
    if (performance.now() - start > ms / 4) break
    batch *= 2
  }
  const rates = []
  for (let r = 0; r < rounds; r++) {
    const start = performance.now()
    let n = 0
    while (performance.now() - start < ms) {
      for (let i = 0; i < batch; i++) fn()
      n += batch
    }
    rates.push((n * 1000) / (performance.now() - start))
  }
  return rates.sort((a, b) => a - b)[rates.length >> 1]
}

/** A rate or a duration for a table: whole numbers with separators from 100 up, one decimal below. */
export const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1))
