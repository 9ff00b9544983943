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
export type { CompileOptions, CompileResult, DeviceFiles } from './compile.js'
export { compileDevice } from './compile.js'
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
export type { ImportRequest, ImportResult } from './import.js'
export { importConfig } from './import.js'
export type {
  Clock,
  DirectoryEntry,
  Exec,
  ExecOptions,
  ExecResult,
  FileInfo,
  FileKind,
  Files,
  LockAttempt,
  Log,
  LogFields,
  Output,
} from './ports.js'
export { IoError } from './ports.js'
