import { renderChronyConf } from './chrony-conf.js'
import { renderDnsmasqConf } from './dnsmasq-conf.js'
import { renderDnsmasqHosts } from './dnsmasq-hosts.js'
import type { LanPlan } from './lan-plan.js'
import { renderLanSettingsJson } from './lan-settings-json.js'
import { NETWORKD_DROP_IN_PATH, renderNetworkdDropIn } from './networkd-drop-in.js'

/** One file to write below the device root: a relative path, its full contents and its permission bits. */
export interface DeviceFile {
  readonly path: string
  readonly contents: string
  readonly mode: number
}

/**
 * The LAN files of the device, with their paths below the root (DESIGN section 4), in a fixed order. The dnsmasq
 * configuration reads its names file at the device path. `/etc/hosts` is not listed: the device merges
 * {@link renderHostsBlock}'s block into it with {@link mergeHostsBlock}.
 */
export function lanDeviceFiles(plan: LanPlan): DeviceFile[] {
  return [
    { path: 'data/config/lan-settings.json', contents: renderLanSettingsJson(plan), mode: 0o600 },
    { path: 'etc/atomicnix/dnsmasq.conf', contents: renderDnsmasqConf(plan), mode: 0o644 },
    { path: 'etc/atomicnix/dnsmasq-hosts', contents: renderDnsmasqHosts(plan), mode: 0o644 },
    { path: 'etc/atomicnix/chrony.conf', contents: renderChronyConf(plan), mode: 0o644 },
    { path: NETWORKD_DROP_IN_PATH, contents: renderNetworkdDropIn(plan), mode: 0o644 },
  ]
}
