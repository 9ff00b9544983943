export { FIREWALL_NFT_PATH, FIREWALL_TABLE, LAN_PLATFORM_PORTS } from './constants.js'
export { type FirewallOptions, isInterfaceName } from './options.js'
export type {
  AnyProtocolRule,
  ChainHook,
  CtState,
  FirewallChain,
  FirewallInterfaces,
  FirewallPlan,
  FirewallRule,
  ForeignDestinationRule,
  IcmpRule,
  IcmpType,
  Icmpv6Rule,
  Icmpv6Type,
  PortRule,
  RuleBase,
  Verdict,
} from './plan.js'
export { isLanAllowlist, planFirewall } from './plan-firewall.js'
export { renderNftables } from './render-nftables.js'
