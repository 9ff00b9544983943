import * as api from '@atomicnix/firewall-plan'
import { expect, it } from 'vitest'

it('exports exactly the documented runtime API', () => {
  expect(Object.keys(api).sort()).toEqual([
    'FIREWALL_NFT_PATH',
    'FIREWALL_TABLE',
    'LAN_PLATFORM_PORTS',
    'isInterfaceName',
    'isLanAllowlist',
    'planFirewall',
    'renderNftables',
  ])
})
