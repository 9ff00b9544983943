/**
 * Recording stand-ins for the programs that need systemd (there is none in CI): `systemctl`, `networkctl`,
 * `loginctl`, `runuser`. Each is a small shell script first on PATH that appends its argv as one JSON array line to
 * a log file, and exits with the code of the first rule whose pattern matches its command line (0 otherwise), or
 * succeeds after a delay.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** The programs faked by default. */
export const FAKED = ['systemctl', 'networkctl', 'loginctl', 'runuser'] as const

// The argv values apply passes are plain tokens; quotes and backslashes are escaped anyway so a line stays JSON.
const SCRIPT = `#!/bin/sh
name=\${0##*/}
line="[\\"$name\\""
for a in "$@"; do
  e=$(printf '%s' "$a" | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g')
  line="$line,\\"$e\\""
done
printf '%s]\\n' "$line" >> "$ANX_FAKE_LOG"
if [ -f "$ANX_FAKE_RULES" ]; then
  while IFS='	' read -r code pattern; do
    if printf '%s\\n' "$name $*" | grep -Eq -- "$pattern"; then
      case "$code" in
        s*) sleep "\${code#s}"; exit 0 ;;
      esac
      echo "$name: failing as the test asked ($pattern)" >&2
      exit "$code"
    fi
  done < "$ANX_FAKE_RULES"
fi
exit 0
`

/** A directory of recording fakes with its log and rules. */
export class FakeCommands {
  readonly bin: string
  readonly log: string
  readonly rules: string

  constructor(dir: string, names: readonly string[] = FAKED) {
    this.bin = join(dir, 'bin')
    this.log = join(dir, 'calls.jsonl')
    this.rules = join(dir, 'rules.tsv')
    mkdirSync(this.bin, { recursive: true })
    for (const name of names) {
      writeFileSync(join(this.bin, name), SCRIPT)
      chmodSync(join(this.bin, name), 0o755)
    }
    this.reset()
  }

  /** The environment that puts the fakes first on PATH (then the real programs, sbin included). */
  env(): Record<string, string> {
    return {
      PATH: `${this.bin}:/usr/local/sbin:/usr/sbin:/sbin:${process.env.PATH ?? '/usr/bin:/bin'}`,
      ANX_FAKE_LOG: this.log,
      ANX_FAKE_RULES: this.rules,
    }
  }

  /** Makes the command lines matching `pattern` (an extended regex over "name args") exit with `code`. */
  fail(pattern: string, code = 1): void {
    writeFileSync(this.rules, `${code}\t${pattern}\n`, { flag: 'a' })
  }

  /** Makes the command lines matching `pattern` take `seconds` before they succeed. */
  delay(pattern: string, seconds: number): void {
    writeFileSync(this.rules, `s${seconds}\t${pattern}\n`, { flag: 'a' })
  }

  /** Forgets the calls and the rules. */
  reset(): void {
    writeFileSync(this.log, '')
    writeFileSync(this.rules, '')
  }

  /** Every recorded call as argv (program name first), in order. */
  calls(): string[][] {
    if (!existsSync(this.log)) return []
    return readFileSync(this.log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as string[])
  }

  /** The recorded calls as command lines. */
  lines(): string[] {
    return this.calls().map((argv) => argv.join(' '))
  }
}
