/** Reading and writing files: the only file-system access of the commands. */
export interface Files {
  /** Reads at most `limit` bytes of a regular file; rejects with an `IoError` for anything else. */
  readRegularFile(path: string, limit: number): Promise<Uint8Array>
  /** Reads standard input to its end or to `limit` bytes, whichever comes first; rejects with an `IoError`. */
  readStandardInput(limit: number): Promise<Uint8Array>
  /** Writes a file so that readers see the old or the new contents, never a mix, creating parent directories. */
  writeFileAtomic(path: string, contents: string, mode: number): Promise<void>
}

/** Where the commands print: standard output and standard error, and whether colour is wanted on stderr. */
export interface Output {
  stdout(text: string): void
  stderr(text: string): void
  readonly color: boolean
}

/** A failure to read or write that is the environment's fault, not the config's: exit code 2. */
export class IoError extends Error {
  override readonly name = 'IoError'
}
