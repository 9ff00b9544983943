import { hostsLines } from './dnsmasq-hosts.js'
import type { LanPlan } from './lan-plan.js'

/** First line of the managed block in `/etc/hosts`. */
export const HOSTS_BLOCK_BEGIN = '# BEGIN ATOMICNIX_LAN_GATEWAY (managed by atomicnix, replaced as a whole)'

/** Last line of the managed block in `/etc/hosts`. */
export const HOSTS_BLOCK_END = '# END ATOMICNIX_LAN_GATEWAY'

// The reference gateway marked each of its lines with this trailing comment instead of a block.
const LEGACY_MARK = '# ATOMICNIX_LAN_GATEWAY'

/** Renders the block of gateway names that the device keeps in `/etc/hosts`: marker lines around hosts(5) lines. */
export function renderHostsBlock(plan: LanPlan): string {
  return `${[HOSTS_BLOCK_BEGIN, ...hostsLines(plan), HOSTS_BLOCK_END].join('\n')}\n`
}

// Begin lines are recognised by their prefix, so that a future wording of the rest of the line still matches.
const BEGIN_PREFIX = '# BEGIN ATOMICNIX_LAN_GATEWAY'

function isBegin(line: string): boolean {
  return line.startsWith(BEGIN_PREFIX)
}

function isEnd(line: string): boolean {
  return line.trimEnd() === HOSTS_BLOCK_END
}

function isLegacy(line: string): boolean {
  return !line.trimStart().startsWith('#') && line.trimEnd().endsWith(` ${LEGACY_MARK}`)
}

/**
 * Merges a rendered block (from {@link renderHostsBlock}) into the text of `/etc/hosts`. Pure and idempotent: the
 * first managed block is replaced in place as a whole, any further block is removed, and without a block the new one
 * is appended. Lines that the reference gateway marked with a trailing `# ATOMICNIX_LAN_GATEWAY` are removed too, and
 * so are marker lines without their partner (the lines between them cannot be told apart from the operator's). Every
 * other line is kept byte for byte, in order.
 */
export function mergeHostsBlock(existingEtcHosts: string, block: string): string {
  const blockLines = block.endsWith('\n') ? block.slice(0, -1).split('\n') : block.split('\n')
  const inner = blockLines.slice(1, -1)
  if (
    blockLines.length < 2 ||
    !isBegin(blockLines[0]!) ||
    !isEnd(blockLines.at(-1)!) ||
    inner.some((l) => isBegin(l) || isEnd(l) || isLegacy(l))
  ) {
    throw new TypeError('block must be a rendered hosts block: a begin marker, hosts lines, an end marker')
  }
  const lines = existingEtcHosts === '' ? [] : existingEtcHosts.split('\n')
  // A final newline leaves an empty last element, which is not a line of its own.
  if (lines.at(-1) === '') lines.pop()
  const out: string[] = []
  let placed = false
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!
    if (isBegin(line)) {
      const close = lines.findIndex((l, j) => j > i && (isBegin(l) || isEnd(l)))
      // A begin marker closed by an end marker: the whole block is ours. Otherwise the marker is a stray line.
      if (close !== -1 && isEnd(lines[close]!)) {
        if (!placed) out.push(...blockLines)
        placed = true
        i = close
      }
    } else if (!isEnd(line) && !isLegacy(line)) {
      out.push(line)
    }
  }
  if (!placed) out.push(...blockLines)
  return `${out.join('\n')}\n`
}
