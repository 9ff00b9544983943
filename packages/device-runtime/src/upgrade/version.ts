const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/

const cmpNum = (a: string, b: string): number => {
  // Digit strings of any length, without converting (a build number may exceed 2^53).
  const x = a.replace(/^0+(?=\d)/, '')
  const y = b.replace(/^0+(?=\d)/, '')
  if (x.length !== y.length) return x.length < y.length ? -1 : 1
  return x < y ? -1 : x > y ? 1 : 0
}
const cmpText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
const isDigits = (s: string) => /^\d+$/.test(s)

/** Semantic Versioning 2.0.0 precedence (build metadata ignored); undefined when either is not semver. */
function compareSemver(a: string, b: string): number | undefined {
  const x = SEMVER.exec(a)
  const y = SEMVER.exec(b)
  if (x === null || y === null) return undefined
  for (let i = 1; i <= 3; i++) {
    const c = cmpNum(x[i]!, y[i]!)
    if (c !== 0) return c
  }
  const px = x[4]
  const py = y[4]
  if (px === undefined || py === undefined) return px === py ? 0 : px === undefined ? 1 : -1
  const ix = px.split('.')
  const iy = py.split('.')
  for (let i = 0; i < Math.min(ix.length, iy.length); i++) {
    const p = ix[i]!
    const q = iy[i]!
    const c = isDigits(p) && isDigits(q) ? cmpNum(p, q) : isDigits(p) ? -1 : isDigits(q) ? 1 : cmpText(p, q)
    if (c !== 0) return c
  }
  return Math.sign(ix.length - iy.length)
}

/** The runs of digits and of letters of a version; every other character only separates. */
const tokens = (v: string): string[] => v.match(/\d+|[A-Za-z]+/g) ?? []

/**
 * Orders two version strings: -1, 0 or 1. Both semver (an optional leading `v`): semver precedence. Otherwise the
 * rule for other strings: both are split into runs of digits and runs of letters (everything else separates), and
 * compared run by run: two numbers by value, two words by code point, a number after a word (`1.0.1 > 1.0.rc`);
 * when one runs out first it is the older (`2024.05 < 2024.05.1`). Equal runs are equal versions (`1.0` = `1-0`).
 */
export function compareVersions(a: string, b: string): number {
  const semver = compareSemver(a, b)
  if (semver !== undefined) return semver
  const x = tokens(a)
  const y = tokens(b)
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i]!
    const q = y[i]!
    const c = isDigits(p) && isDigits(q) ? cmpNum(p, q) : isDigits(p) ? 1 : isDigits(q) ? -1 : cmpText(p, q)
    if (c !== 0) return c
  }
  return Math.sign(x.length - y.length)
}
