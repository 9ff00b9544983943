import { escapeControls } from './text.js'

/** One step of a path into the config: a table key or an array index. */
export type PathSegment = string | number

/** True for a non-empty key of `A-Za-z0-9_-` only, which a path shows unquoted. */
function isBareKey(key: string): boolean {
  if (key.length === 0) return false
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    const letter = (c | 32) >= 97 && (c | 32) <= 122
    if (!letter && !(c >= 48 && c <= 57) && c !== 95 && c !== 45) return false
  }
  return true
}

/** One key as a path shows it: bare, or quoted with its controls escaped. */
export function formatKey(key: string): string {
  // JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidirectional overrides as they are.
  return isBareKey(key) ? key : escapeControls(JSON.stringify(key))
}

/** Formats path segments the way issues show them: `container.web.Container.PublishPort[1]`; odd keys are quoted. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else {
      const key = formatKey(segment)
      out += out === '' ? key : `.${key}`
    }
  }
  return out
}

/**
 * The path of `key` below `at`, or of its item `index` when the value is an array. Rules build paths this way only
 * when they record an issue, so that valid values cost no array.
 */
export function childPath(at: readonly PathSegment[], key: PathSegment, index?: number): PathSegment[] {
  return index === undefined ? [...at, key] : [...at, key, index]
}
