export { ROOTLESS_FORBIDDEN_KEYS } from './quadlet-rules.js'
