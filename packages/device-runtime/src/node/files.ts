import { createHash } from 'node:crypto'
import { createReadStream, type Stats } from 'node:fs'
import {
  chmod,
  constants,
  lstat,
  mkdir,
  open,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  rmdir,
  stat,
  statfs,
  symlink,
  unlink,
} from 'node:fs/promises'
import { dirname } from 'node:path'
import { type AppendHandle, type FileKind, type Files, IoError, type LockAttempt } from '../ports.js'

const reason = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  switch (code) {
    case 'ENOENT':
      return 'no such file'
    case 'EISDIR':
      return 'is a directory'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    case 'ENOTDIR':
      return 'a parent is not a directory'
    default:
      return error instanceof Error ? error.message : String(error)
  }
}

const code = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code

function kindOf(info: Stats | { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileKind {
  if (info.isFile()) return 'file'
  if (info.isDirectory()) return 'directory'
  if (info.isSymbolicLink()) return 'symlink'
  return 'other'
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, constants.O_RDONLY | constants.O_DIRECTORY)
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/** What is read of a file that reports size 0 (files in /proc). */
const PROC_READ = 64 * 1024

/** Wraps a file-system call so that its failure is an IoError naming the operation and the path. */
async function io<T>(what: string, path: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body()
  } catch (error) {
    if (error instanceof IoError) throw error
    throw new IoError(`cannot ${what} ${path}: ${reason(error)}`)
  }
}

/** This boot's identity: a lock from an earlier boot is stale whatever its pid says. */
let bootId: string | undefined
async function currentBootId(): Promise<string> {
  if (bootId === undefined) {
    bootId = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
      (text) => text.trim(),
      () => 'unknown',
    )
  }
  return bootId
}

/** A process's start time (clock ticks since boot, /proc/PID/stat field 22): tells a reused pid from the holder. */
async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

async function lockOwner(): Promise<string> {
  return `pid=${process.pid} start=${(await startTime(process.pid)) ?? '?'} boot=${await currentBootId()}`
}

/** True when the process that wrote `owner` is still running (same boot, same pid, same start time). */
async function ownerAlive(owner: string): Promise<boolean> {
  const fields = Object.fromEntries(owner.split(' ').map((f) => f.split('=') as [string, string]))
  const pid = Number(fields.pid)
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (fields.boot !== (await currentBootId())) return false
  try {
    process.kill(pid, 0)
  } catch (error) {
    if (code(error) !== 'EPERM') return false
  }
  const start = await startTime(pid)
  return start === undefined || fields.start === '?' || start === fields.start
}

/** A stale-lock breaker that has held its directory this long was killed in the middle (it needs microseconds). */
const BREAKER_STALE_MS = 10_000

/**
 * One attempt at the lock: a symlink whose target names the holder (created atomically, so it is never seen half
 * written). A dead holder's lock is broken under a short second lock (`PATH.break`), so that two processes that find
 * the same stale lock cannot both remove it, the second one removing the first one's new lock.
 */
async function tryLock(path: string): Promise<LockAttempt> {
  const owner = await lockOwner()
  let broken: string | undefined
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await symlink(owner, path)
      return {
        acquired: true,
        ...(broken === undefined ? {} : { brokeStale: broken }),
        async release() {
          const held = await readlink(path).catch(() => undefined)
          if (held === owner) await unlink(path)
        },
      }
    } catch (error) {
      if (code(error) !== 'EEXIST') throw new IoError(`cannot lock ${path}: ${reason(error)}`)
    }
    const holder = await readlink(path).catch(() => undefined)
    if (holder === undefined) continue
    if (await ownerAlive(holder)) return { acquired: false, holder }
    const breaker = `${path}.break`
    try {
      await mkdir(breaker)
    } catch (error) {
      if (code(error) !== 'EEXIST') throw new IoError(`cannot lock ${path}: ${reason(error)}`)
      const info = await lstat(breaker).catch(() => undefined)
      if (info !== undefined && Date.now() - info.mtimeMs > BREAKER_STALE_MS)
        await rmdir(breaker).catch(() => undefined)
      return { acquired: false, holder }
    }
    try {
      if ((await readlink(path).catch(() => undefined)) === holder) {
        await unlink(path)
        broken = holder
      }
    } finally {
      await rmdir(breaker).catch(() => undefined)
    }
  }
  return { acquired: false, holder: 'another writer' }
}

/** Reads a regular file with its permission bits; undefined for a missing file when `missingOk`. */
async function readRegular(
  path: string,
  limit: number,
  missingOk: boolean,
): Promise<{ contents: Uint8Array; mode: number } | undefined> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    // O_NONBLOCK keeps a FIFO from blocking the open; it is refused below as not a regular file.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    if (missingOk && code(error) === 'ENOENT') return undefined
    throw new IoError(`cannot read ${path}: ${reason(error)}`)
  }
  try {
    const info = await handle.stat()
    if (info.isDirectory()) throw new IoError(`cannot read ${path}: is a directory`)
    if (!info.isFile()) throw new IoError(`cannot read ${path}: not a regular file`)
    // Files in /proc report size 0: they are read in one bounded page (the boot id is 37 bytes).
    const buffer = Buffer.alloc(Math.min(limit, info.size === 0 ? PROC_READ : info.size + 1))
    let length = 0
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length)
      if (bytesRead === 0) break
      length += bytesRead
    }
    return { contents: new Uint8Array(buffer.buffer, buffer.byteOffset, length), mode: info.mode & 0o7777 }
  } catch (error) {
    if (error instanceof IoError) throw error
    throw new IoError(`cannot read ${path}: ${reason(error)}`)
  } finally {
    await handle.close()
  }
}

/** Files on the local file system; writes go to a temporary file that is fsynced and renamed over the target. */
export const nodeFiles: Files = {
  async readRegularFile(path, limit) {
    return (await readRegular(path, limit, false))!.contents
  },

  readIfExists: (path, limit) => readRegular(path, limit, true),

  async writeFileAtomic(path, contents, mode) {
    // Unique without node:crypto (whose load is a few ms of a cold start): the pid and the nanoseconds since boot; the
    // exclusive open below fails rather than share a name in the impossible case that both repeat.
    const temporary = `${path}.tmp-${process.pid}-${process.hrtime.bigint().toString(36)}`
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 })
      const handle = await open(temporary, 'wx', mode)
      try {
        await handle.writeFile(contents)
        // The mode given to open() is filtered by the umask; the device files need exactly this mode.
        await handle.chmod(mode)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, path)
      await syncDirectory(dirname(path))
    } catch (error) {
      await unlink(temporary).catch(() => undefined)
      throw new IoError(`cannot write ${path}: ${reason(error)}`)
    }
  },

  async readDirectory(path) {
    try {
      const entries = await readdir(path, { withFileTypes: true })
      return entries.map((e) => ({ name: e.name, kind: kindOf(e) }))
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined
      throw new IoError(`cannot list ${path}: ${reason(error)}`)
    }
  },

  async inspect(path) {
    try {
      const info = await lstat(path)
      return { kind: kindOf(info), size: info.size, mode: info.mode & 0o7777 }
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined
      throw new IoError(`cannot inspect ${path}: ${reason(error)}`)
    }
  },

  async readSymlink(path) {
    try {
      return await readlink(path)
    } catch (error) {
      if (code(error) === 'ENOENT') return undefined
      throw new IoError(`cannot read the link ${path}: ${code(error) === 'EINVAL' ? 'not a symlink' : reason(error)}`)
    }
  },

  makeDirectory: (path, mode) =>
    io('create the directory', path, async () => {
      const created = await mkdir(path, { recursive: true, mode })
      // mkdir's mode is filtered by the umask; a directory that already existed keeps its own.
      if (created !== undefined) await chmod(path, mode)
    }),

  writeNewFile: (path, contents, mode) =>
    io('write', path, async () => {
      const handle = await open(path, 'wx', mode)
      try {
        await handle.writeFile(contents)
        await handle.chmod(mode)
        await handle.sync()
      } finally {
        await handle.close()
      }
    }),

  syncDirectory: (path) => io('sync', path, () => syncDirectory(path)),
  symlink: (target, path) => io('create the symlink', path, () => symlink(target, path)),
  rename: (from, to) => io(`rename ${from} to`, to, () => rename(from, to)),
  remove: (path) => io('remove', path, () => rm(path, { recursive: true, force: true })),
  tryLock,

  async appendDurable(path, text, mode) {
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 })
      const created = (await stat(path).catch(() => undefined)) === undefined
      const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, mode)
      try {
        await handle.writeFile(text, 'utf8')
        await handle.sync()
      } finally {
        await handle.close()
      }
      // A new file's directory entry must be durable too.
      if (created) await syncDirectory(dirname(path))
    } catch (error) {
      throw new IoError(`cannot append to ${path}: ${reason(error)}`)
    }
  },

  async openAppend(path, mode, truncate) {
    const handle = await io('open', path, async () => {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 })
      const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (truncate ? constants.O_TRUNC : 0)
      return open(path, flags, mode)
    })
    const appendHandle: AppendHandle = {
      write: (chunk) =>
        io('write', path, async () => {
          let offset = 0
          while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten
        }),
      sync: () => io('sync', path, () => handle.sync()),
      close: () => io('close', path, () => handle.close()),
    }
    return appendHandle
  },

  async freeBytes(dir) {
    // A directory not created yet lives on its nearest existing ancestor's file system.
    for (let path = dir; ; path = dirname(path)) {
      try {
        const info = await statfs(path)
        return info.bavail * info.bsize
      } catch (error) {
        if (code(error) !== 'ENOENT' || dirname(path) === path)
          throw new IoError(`cannot statfs ${dir}: ${reason(error)}`)
      }
    }
  },

  sha256File: (path) =>
    io('read', path, async () => {
      const hash = createHash('sha256')
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
      return hash.digest('hex')
    }),
}
