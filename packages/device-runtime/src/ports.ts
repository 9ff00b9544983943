/** Reading and writing files: the only file-system access of the commands. */
export interface Files {
  /** Reads at most `limit` bytes of a regular file; rejects with an `IoError` for anything else. */
  readRegularFile(path: string, limit: number): Promise<Uint8Array>
  /** Writes a file so that readers see the old or the new contents, never a mix, creating parent directories. */
  writeFileAtomic(path: string, contents: string | Uint8Array, mode: number): Promise<void>
  /** The entries of a directory, unsorted; undefined when it does not exist. */
  readDirectory(path: string): Promise<DirectoryEntry[] | undefined>
  /** What is at `path` itself (a symlink is not followed); undefined when nothing is. */
  inspect(path: string): Promise<FileInfo | undefined>
  /** The target of a symlink, undefined when nothing is at `path`; rejects when it is not a symlink. */
  readSymlink(path: string): Promise<string | undefined>
  /** Creates a directory and its missing parents; the last one gets exactly `mode`. Nothing happens if it exists. */
  makeDirectory(path: string, mode: number): Promise<void>
  /** Creates a new file (never replacing one) with exactly `mode`, writes it and fsyncs it. */
  writeNewFile(path: string, contents: string | Uint8Array, mode: number): Promise<void>
  /** fsyncs a directory, making the creations, renames and removals in it durable. */
  syncDirectory(path: string): Promise<void>
  /** Creates a symlink at `path` pointing to `target` (never replacing anything). */
  symlink(target: string, path: string): Promise<void>
  /** rename(2): atomic, and replaces `to` when it is a file or symlink. */
  rename(from: string, to: string): Promise<void>
  /** Removes a file, symlink or directory tree; nothing happens if it does not exist. */
  remove(path: string): Promise<void>
  /**
   * Takes a cross-process lock at `path` without waiting: the lock names its holder, and a lock whose holder has died
   * (or from an earlier boot) is broken. Resolves with the holder's description when a live process holds it.
   */
  tryLock(path: string): Promise<LockAttempt>
  /** Reads a regular file and its permission bits (at most `limit` bytes); undefined when nothing is there. */
  readIfExists(path: string, limit: number): Promise<{ contents: Uint8Array; mode: number } | undefined>
  /** Appends text to a file (created with `mode`) and fsyncs it before resolving: the line survives a power cut. */
  appendDurable(path: string, text: string, mode: number): Promise<void>
  /** Opens a file for appending (created with `mode`, or emptied first when `truncate`), creating parent dirs. */
  openAppend(path: string, mode: number, truncate: boolean): Promise<AppendHandle>
  /** Bytes available to this user on the file system holding `dir` (statfs). */
  freeBytes(dir: string): Promise<number>
  /** SHA-256 of a file's contents, lower-case hex, read as a stream. */
  sha256File(path: string): Promise<string>
}

/** A file opened for appending: writes, then `sync` (fsync) before `close` when the data must survive. */
export interface AppendHandle {
  write(chunk: Uint8Array): Promise<void>
  sync(): Promise<void>
  close(): Promise<void>
}

/** What a directory holds: a name and its kind. */
export interface DirectoryEntry {
  readonly name: string
  readonly kind: FileKind
}

/** Regular file, directory, symlink, or anything else (device, FIFO, socket). */
export type FileKind = 'file' | 'directory' | 'symlink' | 'other'

/** What `Files.inspect` tells about a path. */
export interface FileInfo {
  readonly kind: FileKind
  readonly size: number
  /** Permission bits (0o7777). */
  readonly mode: number
}

/** The outcome of `Files.tryLock`: held (release it when done), or held by someone else. */
export type LockAttempt =
  | {
      readonly acquired: true
      release(): Promise<void>
      /** The dead holder whose lock was broken to take this one, if any. */
      readonly brokeStale?: string
    }
  | { readonly acquired: false; readonly holder: string }

/** Where the commands print: standard output and standard error, and whether colour is wanted on stderr. */
export interface Output {
  stdout(text: string): void
  stderr(text: string): void
  readonly color: boolean
}

/** How one program is run: a time limit always, optional standard input and extra environment. */
export interface ExecOptions {
  /** Killed (SIGTERM, then SIGKILL) once it has run this long. */
  readonly timeoutMs: number
  readonly input?: string | Uint8Array
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string>>
}

/** What one run of a program did. `exitCode` is null when it was killed by a signal or could not start. */
export interface ExecResult {
  readonly argv: readonly string[]
  readonly exitCode: number | null
  readonly signal: string | null
  /** Standard output and error, decoded as UTF-8 and cut at a bound (a runaway program cannot fill memory). */
  readonly stdout: string
  readonly stderr: string
  readonly durationMs: number
  readonly timedOut: boolean
  /** Why the program could not be started at all (e.g. not found on PATH). */
  readonly spawnError?: string
}

/** Runs programs: argv arrays looked up on `PATH`, never a shell string. */
export interface Exec {
  run(argv: readonly string[], options: ExecOptions): Promise<ExecResult>
}

/** Time: the wall clock (may be wrong right after boot), a monotonic clock for durations, and waiting. */
export interface Clock {
  /** Milliseconds since the Unix epoch, as the system clock says. */
  now(): number
  /** Milliseconds from an arbitrary origin that never goes back; for durations and deadlines. */
  monotonic(): number
  /** Resolves after `ms` milliseconds, or early (resolving) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** Structured fields of a log line. */
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>

/** The device's log: every decision it takes on its own is written here with its reason. */
export interface Log {
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

/** One HTTP request; redirects are not followed by the port (the caller decides on each hop). */
export interface HttpRequest {
  readonly url: string
  readonly headers?: Readonly<Record<string, string>>
  /** Gives up when no byte arrives for this long (connecting, the headers, and between body chunks). */
  readonly idleTimeoutMs: number
  readonly signal?: AbortSignal
}

/** An HTTP response whose body is streamed: iterate it once, or `cancel` it. */
export interface HttpResponse {
  readonly status: number
  /** A header's value by lower-case name. */
  header(name: string): string | undefined
  /** The body in chunks; throws an `HttpError` when the transfer is cut before its end. */
  readonly body: AsyncIterable<Uint8Array>
  /** Stops reading and releases the connection. */
  cancel(): void
}

/** HTTP GET with a streamed body: the upgrade's only network access. */
export interface Http {
  /** Rejects with an `HttpError` when no response arrives (refused, reset, timed out, bad URL). */
  get(request: HttpRequest): Promise<HttpResponse>
}

/** A transfer that failed on the network (no response, or a body cut short). */
export class HttpError extends Error {
  override readonly name = 'HttpError'
}

/** A failure to read or write that is the environment's fault, not the config's: exit code 2. */
export class IoError extends Error {
  override readonly name = 'IoError'
}
