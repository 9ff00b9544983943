import * as lanPlan from '@atomicnix/lan-plan'
import { expect, it } from 'vitest'

it('exports exactly the public API', () => {
  expect(Object.keys(lanPlan).sort()).toEqual([
    'CHRONY_DRIFT_PATH',
    'DNSMASQ_HOSTS_PATH',
    'DNSMASQ_LEASE_PATH',
    'HOSTS_BLOCK_BEGIN',
    'HOSTS_BLOCK_END',
    'LEASE_TIME',
    'NETWORKD_DROP_IN_PATH',
    'UPSTREAM_POOL',
    'lanDeviceFiles',
    'mergeHostsBlock',
    'normaliseMac',
    'planLan',
    'renderChronyConf',
    'renderDnsmasqConf',
    'renderDnsmasqHosts',
    'renderHostsBlock',
    'renderLanSettingsJson',
    'renderNetworkdDropIn',
  ])
})
