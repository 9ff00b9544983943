export type { PortRange, PublishPort, PublishPortError } from './publish-port.js'
export {
  formatPublishPort,
  isLoopbackV4,
  loopbackPublishPort,
  parsePublishPort,
} from './publish-port.js'
export type { QuadletOwnSection } from './quadlet-catalogue.js'
export {
  DEFAULT_PODMAN_VERSION,
  isSupportedPodmanVersion,
  MIN_PODMAN_VERSION,
  quadletKeySince,
  quadletKeys,
} from './quadlet-catalogue.js'
export type { MountSpec } from './quadlet-mounts.js'
export { parseMount, volumeHostSource } from './quadlet-mounts.js'
export type { ProtectedPath, RootlessPathProblem } from './quadlet-paths.js'
export {
  APP_HOME,
  APP_USER,
  DEFAULT_CONFIG_ROOT,
  expandPlaceholders,
  exposedProtectedPath,
  normalizeHostPath,
  ROOTFUL_UNIT_DIR,
  ROOTLESS_LINK_PATHS,
  ROOTLESS_PROTECTED_PATHS,
  ROOTLESS_UNIT_DIR,
  rootlessPathProblem,
} from './quadlet-paths.js'
export { referencedUnit } from './quadlet-references.js'
export type {
  QuadletEntry,
  QuadletMode,
  QuadletRewriteWarning,
  QuadletSectionEntries,
  QuadletUnitSource,
  RewriteOptions,
  RewrittenUnit,
} from './quadlet-rewrite.js'
export { FORCED_NETWORK, quadletMode, rewritePublishPort, rewriteQuadletUnit } from './quadlet-rewrite.js'
export { QUADLET_FORBIDDEN_KEYS, ROOTLESS_FORBIDDEN_KEYS } from './quadlet-rules.js'
