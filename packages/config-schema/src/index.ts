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
export { LAN_DEFAULTS } from './config.js'
export type { Issue, Result, Severity } from './issue.js'
export * from './quadlet-public.js'
export type { SectionName, UnitInput, UnitKind } from './units.js'
export { OWN_SECTION, serviceName } from './units.js'
