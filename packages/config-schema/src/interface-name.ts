/**
 * True when `name` is a Linux interface name we accept: 1..15 of `[A-Za-z0-9_.-]`, not `.` or `..`. Linux allows any
 * byte but `/`, `:`, NUL and white space in up to IFNAMSIZ-1 = 15 bytes (dev_valid_name); this strict subset never
 * needs quoting or escaping in an nft string, a dnsmasq option or a networkd file. A loop over the character codes
 * (the set of `/^[A-Za-z0-9_.-]{1,15}$/`, property-tested in firewall-plan and lan-plan) at half the regex's cost.
 */
export function isInterfaceName(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 15) return false
  for (let i = 0; i < name.length; i++) if (!isNameCode(name.charCodeAt(i))) return false
  return name !== '.' && name !== '..'
}

/** True for a character code of `[A-Za-z0-9_.-]`. */
export function isNameCode(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2e ||
    c === 0x2d
  )
}
