export type { CompileOptions, CompileResult, DeviceFiles } from './compile.js'
export { compileDevice } from './compile.js'
// Health confirmation, OS upgrade and the boot journal (pure decisions; effects through the ports).
export type {
  CommittedDecision,
  CommittedProgress,
  ConfirmPolicy,
  Observation,
  TrialDecision,
  TrialProgress,
} from './confirm/decide.js'
export { DEFAULT_CONFIRM_POLICY, decideCommitted, decideTrial } from './confirm/decide.js'
export type { DeviceFile } from './device-file.js'
export type { CheckResult, HealthCheck, HealthInputs } from './health/checks.js'
export { judgeCheck, planHealthChecks } from './health/checks.js'
export type { BootOutcome, BootRecord } from './journal/journal.js'
export { readBootJournal } from './journal/journal.js'
export type { SlotRecord } from './journal/slots.js'
export type {
  AppendHandle,
  Clock,
  Exec,
  ExecResult,
  Files,
  Http,
  HttpRequest,
  HttpResponse,
  Log,
  Output,
} from './ports.js'
export { HttpError, IoError } from './ports.js'
export type { BootEnv } from './rauc/boot-env.js'
export { checkBootEnv, parseBootEnv } from './rauc/boot-env.js'
export type { RaucSlot, RaucStatus } from './rauc/status.js'
export { parseRaucStatus } from './rauc/status.js'
export type { OfferDecision, UpdateOffer } from './upgrade/decide.js'
export { decideOffer, parseOffer } from './upgrade/decide.js'
export { compareVersions } from './upgrade/version.js'
