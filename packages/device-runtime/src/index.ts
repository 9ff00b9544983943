// The bootstrap API as a fetch handler, and the SSHSIG verification of signed changes (pure: WebCrypto only).
export type {
  ApiApp,
  ApiDeps,
  ApiOptions,
  ApiRequest,
  FetchHandler,
  GenerationSummary,
  InputCheck,
  PersistResult,
  Provisioning,
} from './api/app.js'
export { BusyError, createApiApp, DEFAULT_BODY_LIMIT } from './api/app.js'
export type { ApiAnswer, ErrorCode } from './api/responses.js'
export type { SignedRequestParts } from './api/signed-request.js'
export {
  CHALLENGE_HEADER,
  SIGNATURE_HEADER,
  SIGNATURE_NAMESPACE,
  sha256Hex,
  signedMessage,
} from './api/signed-request.js'
export type { SignatureProblem, SshSignature } from './api/sshsig.js'
export { parseSshSignature, verifySshSignature } from './api/sshsig.js'
export type { ApplyDeps, ApplyGeneration, ApplyGenerations, ApplyOptions } from './apply/apply.js'
export { applyCurrent, readLastApply } from './apply/apply.js'
export type { ApplyUnits } from './apply/plan.js'
export { APPLY_TIMEOUTS_MS, APPLY_UNITS } from './apply/plan.js'
export type { ApplyReport, ApplyRun, ApplyStep } from './apply/report.js'
export { formatApplyReport } from './apply/report.js'
export type { InputFormat } from './bundle/formats.js'
export { detectFormat } from './bundle/formats.js'
export type { Bundle, BundleFile, BundleLimits, ReadBundleOptions } from './bundle/read-bundle.js'
export { BUNDLE_ISSUE_CODES, DEFAULT_BUNDLE_LIMITS, readBundle } from './bundle/read-bundle.js'
export type { CheckedInput, CompileOptions, CompileResult, DeviceFiles } from './compile.js'
export { checkDeviceInput, compileDevice } from './compile.js'
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
export type {
  FirstBootOptions,
  FirstBootReport,
  ImportSeed,
  SeedImport,
  SeedSource,
  SkippedSeed,
} from './first-boot.js'
export { firstBoot, SEED_NAMES } from './first-boot.js'
export type {
  Generation,
  GenerationFile,
  GenerationManifest,
  GenerationOptions,
  GenerationStore,
  NewGeneration,
  SourceKind,
} from './generations/store.js'
export { openGenerations } from './generations/store.js'
export type { CheckResult, HealthCheck, HealthInputs } from './health/checks.js'
export { judgeCheck, planHealthChecks } from './health/checks.js'
export type { ImportRequest, ImportResult } from './import.js'
export { importConfig } from './import.js'
export type { BootOutcome, BootRecord } from './journal/journal.js'
export { readBootJournal } from './journal/journal.js'
export type { SlotRecord } from './journal/slots.js'
export type {
  AppendHandle,
  Clock,
  DirectoryEntry,
  Exec,
  ExecOptions,
  ExecResult,
  FileInfo,
  FileKind,
  Files,
  Http,
  HttpRequest,
  HttpResponse,
  LockAttempt,
  Log,
  LogFields,
  Output,
} from './ports.js'
export { HttpError, IoError } from './ports.js'
export type { BootEnv } from './rauc/boot-env.js'
export { checkBootEnv, parseBootEnv } from './rauc/boot-env.js'
export type { RaucSlot, RaucStatus } from './rauc/status.js'
export { parseRaucStatus } from './rauc/status.js'
export type { OfferDecision, UpdateOffer } from './upgrade/decide.js'
export { decideOffer, parseOffer } from './upgrade/decide.js'
export type { DownloadRequest, DownloadResult } from './upgrade/download.js'
export { downloadBundle } from './upgrade/download.js'
export { compareVersions } from './upgrade/version.js'
