export { formatIpv4, ipv4NotUnicast, isIPv4, isIPv6, isIpv4UrlHost, parseIpv4 } from './address.js'
export type {
  BuildConfig,
  Config,
  ContainerConfig,
  FirewallInbound,
  LanSettings,
  NetworkConfig,
  Port,
  PortSet,
  QuadletScalar,
  QuadletSection,
  QuadletValue,
  VolumeConfig,
} from './config.js'
export { LAN_DEFAULTS, UPSTREAM_NTP_POOL } from './config.js'
export type { ValidateOptions } from './context.js'
export { normalizeDnsName } from './dns-name.js'
export type { FormatOptions } from './format.js'
export { DEFAULT_MAX_ISSUES, FRAME_WINDOW, formatIssues } from './format.js'
export { isInterfaceName, isNameCode } from './interface-name.js'
export type { Issue, Result, Severity } from './issue.js'
export { MAX_CONFIG_BYTES, parseConfig, validateConfig } from './parse.js'
export type { PathSegment } from './path.js'
export { formatPath } from './path.js'
export * from './quadlet-public.js'
export type { QuadletRuntime, QuadletRuntimeUnit } from './runtime-files.js'
export {
  parseFirewallInbound,
  parseHealthRequired,
  parseLanSettings,
  parseOsUpgrade,
  parseQuadletRuntime,
} from './runtime-files.js'
export {
  jsonString,
  jsonStrings,
  renderAuthorizedKeys,
  renderFirewallInboundJson,
  renderHealthRequiredJson,
  renderOsUpgradeJson,
  toJsonFile,
} from './runtime-writers.js'
export type { SshPublicKey } from './ssh-key.js'
export { MIN_RSA_BITS, parseSshPublicKey, SSH_KEY_TYPES } from './ssh-key.js'
export { stringifyConfig } from './stringify.js'
export { LineIndex, type Position } from './toml/positions.js'
export type { SectionName, UnitInput, UnitKind } from './units.js'
export { OWN_SECTION, serviceName } from './units.js'
export { CONFIG_VERSION } from './validate-rules.js'
