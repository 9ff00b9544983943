import {
  type Config,
  type Issue,
  parseConfig,
  renderAuthorizedKeys,
  renderFirewallInboundJson,
  renderHealthRequiredJson,
  renderOsUpgradeJson,
} from '@atomicnix/config-schema'
import { FIREWALL_NFT_PATH, planFirewall, renderNftables } from '@atomicnix/firewall-plan'
import { lanDeviceFiles, planLan } from '@atomicnix/lan-plan'
import { planQuadlets, quadletDeviceFiles } from '@atomicnix/quadlet-render'
import type { DeviceFile } from './device-file.js'

/** Options of `compileDevice`. */
export interface CompileOptions {
  /** The LAN interface's MAC (12 hex digits, separators allowed) for `hostname_pattern`; without it no such name. */
  readonly mac?: string
}

/** What `compileDevice` produces for a valid config. */
export interface DeviceFiles {
  readonly config: Config
  /** Every file of DESIGN section 4, sorted by path. */
  readonly files: readonly DeviceFile[]
}

/** The outcome of compiling: the device files, or every error; warnings in both cases. */
export type CompileResult =
  | { readonly ok: true; readonly value: DeviceFiles; readonly warnings: readonly Issue[] }
  | { readonly ok: false; readonly errors: readonly Issue[]; readonly warnings: readonly Issue[] }

const PRIVATE = 0o600

/**
 * Turns config.toml text into the complete map of device files (pure: no I/O, same input, same output). An invalid
 * config produces no files at all.
 */
export function compileDevice(configText: string, options: CompileOptions = {}): CompileResult {
  const parsed = parseConfig(configText)
  if (!parsed.ok) return parsed
  const config = parsed.value
  const files: DeviceFile[] = [
    { path: 'data/config/config.toml', contents: configText, mode: PRIVATE },
    { path: 'data/config/ssh-authorized-keys/admin', contents: renderAuthorizedKeys(config), mode: PRIVATE },
    {
      path: 'data/config/firewall-inbound.json',
      contents: renderFirewallInboundJson(config.firewall.inbound),
      mode: PRIVATE,
    },
    { path: 'data/config/health-required.json', contents: renderHealthRequiredJson(config), mode: PRIVATE },
    { path: FIREWALL_NFT_PATH, contents: renderNftables(planFirewall(config)), mode: 0o644 },
    ...lanDeviceFiles(planLan(config, options.mac === undefined ? {} : { mac: options.mac })),
    ...quadletDeviceFiles(planQuadlets(config)),
  ]
  const osUpgrade = renderOsUpgradeJson(config)
  if (osUpgrade !== undefined) files.push({ path: 'data/config/os-upgrade.json', contents: osUpgrade, mode: PRIVATE })
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  return { ok: true, value: { config, files }, warnings: parsed.warnings }
}
