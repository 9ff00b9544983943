import { escapeControls } from './text.js'

/** One step of a path into the config: a table key or an array index. */
export type PathSegment = string | number

const BARE_KEY = /^[A-Za-z0-9_-]+$/

/** Formats path segments the way issues show them: `container.web.Container.PublishPort[1]`; odd keys are quoted. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else {
      // JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidirectional overrides as they are.
      const key = BARE_KEY.test(segment) ? segment : escapeControls(JSON.stringify(segment))
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
