import type { Log, LogFields } from '../ports.js'

/** Quotes a field value when it holds spaces, quotes, `=` or control characters, so that a line stays one line. */
function field(value: string | number | boolean | null): string {
  const text = String(value)
  return /^[^\s"=\\\u0000-\u001f\u007f]+$/.test(text) ? text : JSON.stringify(text)
}

function line(message: string, fields: LogFields | undefined): string {
  let text = JSON.stringify(message).slice(1, -1)
  for (const [key, value] of Object.entries(fields ?? {})) if (value !== undefined) text += ` ${key}=${field(value)}`
  return text
}

/**
 * A log on standard error, one line per event. Under systemd (`JOURNAL_STREAM` set) each line starts with the
 * `<N>` priority prefix that journald reads (sd-daemon(3)); elsewhere with the level's name.
 */
export function nodeLog(write: (text: string) => void = (text) => process.stderr.write(text)): Log {
  const journal = process.env.JOURNAL_STREAM !== undefined
  const emit = (priority: number, level: string) => (message: string, fields?: LogFields) =>
    write(`${journal ? `<${priority}>` : `${level}: `}${line(message, fields)}\n`)
  return { info: emit(6, 'info'), warn: emit(4, 'warning'), error: emit(3, 'error') }
}
