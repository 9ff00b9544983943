import fc from 'fast-check'

/** A real ed25519 public key (the seed example's). */
export const ED25519_KEY =
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIHfTcrdK6PyhPLrqKNmRkAO2OkRmpVpUpxvBEthfD0B operator@gateway'

/** A planted fault: where it goes, what it looks like in the text, and what must be reported. */
export interface Fault {
  /** Table (formatted path) that receives an extra key, or a list that receives an extra value. */
  readonly target: 'root' | 'admin' | 'inbound' | 'lan' | 'unit' | 'section' | 'tcp' | 'aliases' | 'health'
  /** Text that will appear exactly once in the document at the reported position. */
  readonly marker: string
  readonly code: string
}

/** How each part of the document is written. */
interface Style {
  readonly lan: 'table' | 'dotted' | 'inline'
  readonly unit: 'tables' | 'inline-section' | 'dotted-section'
  readonly arrays: 'single' | 'multi'
  readonly comments: boolean
  readonly quoteKeys: boolean
}

const styleArb: fc.Arbitrary<Style> = fc.record({
  lan: fc.constantFrom('table', 'dotted', 'inline'),
  unit: fc.constantFrom('tables', 'inline-section', 'dotted-section'),
  arrays: fc.constantFrom('single', 'multi'),
  comments: fc.boolean(),
  quoteKeys: fc.boolean(),
})

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    target: fc.constantFrom('root', 'admin', 'inbound', 'lan', 'unit'),
    marker: fc.constantFrom('zz_planted', 'qq-unknown', 'bogus_key'),
    code: fc.constant('unknown_key'),
  }),
  fc.record({
    target: fc.constant('section'),
    marker: fc.constantFrom('Imagee', 'PublishPorts', 'Bogus'),
    code: fc.constant('quadlet_key_unknown'),
  }),
  fc.record({
    target: fc.constant('tcp'),
    marker: fc.integer({ min: 70000, max: 99999 }).map(String),
    code: fc.constant('port_out_of_range'),
  }),
  fc.record({
    target: fc.constant('aliases'),
    marker: fc.constantFrom('"bad_alias"', '"-dash"', '"a..b"'),
    code: fc.constant('dns_name_invalid'),
  }),
  fc.record({
    target: fc.constant('health'),
    marker: fc.constantFrom('"ghost"', '"nobody-here"'),
    code: fc.constant('health_unknown_container'),
  }),
) as fc.Arbitrary<Fault>

/** A generated config.toml with the fault (if any) planted, and what is expected of it. */
export interface GeneratedConfig {
  readonly text: string
  readonly fault: Fault | undefined
  /** `key` when the issue must point at a key, `value` when at a value. */
  readonly anchor: 'key' | 'value'
}

const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/), { minLength: 1, maxLength: 4 })
// TCP 22 and 8080 are platform services that the WAN may not list (firewall_wan_platform_port).
const ports = fc.uniqueArray(
  fc.integer({ min: 1, max: 65535 }).filter((p) => p !== 22 && p !== 8080),
  { minLength: 1, maxLength: 6 },
)

/** Renders a list of literals as an inline array or a multi-line one with comments and a trailing comma. */
function array(items: readonly string[], style: Style): string {
  if (style.arrays === 'single') return `[${items.join(', ')}]`
  const lines = items.map((item, i) => `  ${item},${style.comments && i === 0 ? ' # first' : ''}`)
  return `[\n${lines.join('\n')}\n]`
}

const key = (name: string, style: Style) => (style.quoteKeys ? `"${name}"` : name)

/** Generates valid config.toml texts in many TOML styles, optionally with exactly one planted fault. */
export function configText(withFault: boolean): fc.Arbitrary<GeneratedConfig> {
  return fc
    .record({
      style: styleArb,
      containers: names,
      tcp: ports,
      udp: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { maxLength: 3 }),
      aliases: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,6}[a-z0-9]$/), { minLength: 1, maxLength: 3 }),
      fault: withFault ? faultArb.map((f): Fault | undefined => f) : fc.constant(undefined),
      blank: fc.constantFrom('', '\n', '\n\n'),
    })
    .map(({ style, containers, tcp, udp, aliases, fault, blank }) => {
      const extra = (target: Fault['target']) => (fault?.target === target ? `${fault.marker} = 1` : undefined)
      const listFault = (target: Fault['target']) => (fault?.target === target ? [fault.marker] : [])
      const isKeyFault = fault?.code === 'unknown_key' || fault?.code === 'quadlet_key_unknown'
      const out: string[] = []
      const c = (text: string) => {
        if (style.comments) out.push(`# ${text}`)
      }
      c('generated config')
      out.push('version = 1')
      const rootExtra = extra('root')
      if (rootExtra) out.push(rootExtra)
      const lanLines = [
        `${key('gateway_cidr', style)} = "10.20.30.1/24"`,
        `dhcp_start = "10.20.30.100"`,
        `domain = "site.example"`,
        `gateway_aliases = ${array([...aliases.map((a) => `"${a}"`), ...listFault('aliases')], style)}`,
        ...(extra('lan') ? [extra('lan')!] : []),
      ]
      if (style.lan === 'dotted') out.push(...lanLines.map((l) => `lan.${l}`))
      if (style.lan === 'inline') {
        // Inline tables are single-line in TOML 1.0, so their arrays are too.
        const single = { ...style, arrays: 'single' } as Style
        const inline = [
          `gateway_cidr = "10.20.30.1/24"`,
          `domain = "site.example"`,
          `gateway_aliases = ${array([...aliases.map((a) => `"${a}"`), ...listFault('aliases')], single)}`,
          ...(extra('lan') ? [extra('lan')!] : []),
        ]
        out.push(`lan = { ${inline.join(', ')} }`)
      }
      out.push(blank)
      out.push('[admin]')
      out.push(`ssh_keys = ${array([`"${ED25519_KEY}"`], style)}`)
      if (extra('admin')) out.push(extra('admin')!)
      out.push(blank)
      c('firewall')
      out.push('[firewall.inbound]')
      out.push(`tcp = ${array([...tcp.map(String), ...listFault('tcp')], style)}`)
      if (udp.length > 0) out.push(`${key('udp', style)} = ${array(udp.map(String), style)}`)
      if (extra('inbound')) out.push(extra('inbound')!)
      if (style.lan === 'table') {
        out.push(blank)
        out.push('[lan]')
        out.push(...lanLines)
      }
      containers.forEach((name, i) => {
        out.push(blank)
        const image = `Image = "registry.example/${name}:1"`
        const unitExtra = i === 0 ? extra('unit') : undefined
        const sectionExtra = i === 0 && fault?.target === 'section' ? `${fault.marker} = "x"` : undefined
        if (style.unit === 'tables') {
          out.push(`[container.${name}]`, `privileged = ${i % 2 === 0}`)
          if (unitExtra) out.push(unitExtra)
          out.push('', `[container.${name}.Container]`, image)
          if (sectionExtra) out.push(sectionExtra)
        } else if (style.unit === 'inline-section') {
          out.push(`[container.${name}]`, `privileged = ${i % 2 === 0}`)
          if (unitExtra) out.push(unitExtra)
          out.push(`Container = { ${[image, ...(sectionExtra ? [sectionExtra] : [])].join(', ')} }`)
        } else {
          out.push(`[container.${name}]`, `privileged = ${i % 2 === 0}`)
          if (unitExtra) out.push(unitExtra)
          out.push(`Container.${image}`)
          if (sectionExtra) out.push(`Container.${sectionExtra}`)
        }
      })
      out.push(blank)
      out.push('[health]')
      out.push(`required = ${array([`"${containers[0]}"`, ...listFault('health')], style)}`)
      const anchor: 'key' | 'value' = isKeyFault ? 'key' : 'value'
      return { text: `${out.join('\n')}\n`, fault, anchor }
    })
}
