import { createHash, randomBytes } from 'node:crypto'
import { constants, createReadStream } from 'node:fs'
import { mkdir, open, rename, stat, statfs, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type AppendHandle, type Files, IoError } from '../ports.js'

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
    if (missingOk && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new IoError(`cannot read ${path}: ${reason(error)}`)
  }
  try {
    const info = await handle.stat()
    if (info.isDirectory()) throw new IoError(`cannot read ${path}: is a directory`)
    if (!info.isFile()) throw new IoError(`cannot read ${path}: not a regular file`)
    // Files in /proc report size 0 and are read until their end.
    const buffer = Buffer.alloc(info.size === 0 ? limit : Math.min(limit, info.size + 1))
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

  async writeFileAtomic(path, contents, mode) {
    const temporary = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 })
      const handle = await open(temporary, 'wx', mode)
      try {
        await handle.writeFile(contents, 'utf8')
        // The mode given to open() is filtered by the umask; the device files need exactly this mode.
        await handle.chmod(mode)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(temporary, path)
      const dir = await open(dirname(path), 'r')
      try {
        await dir.sync()
      } finally {
        await dir.close()
      }
    } catch (error) {
      await unlink(temporary).catch(() => undefined)
      throw new IoError(`cannot write ${path}: ${reason(error)}`)
    }
  },

  readIfExists: (path, limit) => readRegular(path, limit, true),
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
      if (created) await syncDir(dirname(path))
    } catch (error) {
      throw new IoError(`cannot append to ${path}: ${reason(error)}`)
    }
  },

  async fileSize(path) {
    try {
      const info = await stat(path)
      return info.isFile() ? info.size : undefined
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new IoError(`cannot stat ${path}: ${reason(error)}`)
    }
  },

  async openAppend(path, mode, truncate) {
    let handle: Awaited<ReturnType<typeof open>>
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o755 })
      const flags = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (truncate ? constants.O_TRUNC : 0)
      handle = await open(path, flags, mode)
    } catch (error) {
      throw new IoError(`cannot open ${path}: ${reason(error)}`)
    }
    const wrap =
      <A extends unknown[]>(what: string, f: (...args: A) => Promise<unknown>) =>
      async (...args: A): Promise<void> => {
        try {
          await f(...args)
        } catch (error) {
          throw new IoError(`cannot ${what} ${path}: ${reason(error)}`)
        }
      }
    const appendHandle: AppendHandle = {
      write: wrap('write', async (chunk: Uint8Array) => {
        let offset = 0
        while (offset < chunk.length) offset += (await handle.write(chunk, offset)).bytesWritten
      }),
      sync: wrap('sync', () => handle.sync()),
      close: wrap('close', () => handle.close()),
    }
    return appendHandle
  },

  async removeFile(path) {
    try {
      await unlink(path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw new IoError(`cannot remove ${path}: ${reason(error)}`)
    }
    const dir = await open(dirname(path), 'r')
    try {
      await dir.sync()
    } finally {
      await dir.close()
    }
  },

  async renameFile(from, to) {
    try {
      await rename(from, to)
      await syncDir(dirname(to))
    } catch (error) {
      throw new IoError(`cannot rename ${from} to ${to}: ${reason(error)}`)
    }
  },

  async freeBytes(dir) {
    // A directory not created yet lives on its nearest existing ancestor's file system.
    for (let path = dir; ; path = dirname(path)) {
      try {
        const info = await statfs(path)
        return info.bavail * info.bsize
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(path) === path)
          throw new IoError(`cannot statfs ${dir}: ${reason(error)}`)
      }
    }
  },

  async sha256File(path) {
    try {
      const hash = createHash('sha256')
      for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
      return hash.digest('hex')
    } catch (error) {
      throw new IoError(`cannot read ${path}: ${reason(error)}`)
    }
  },
}

async function syncDir(path: string): Promise<void> {
  const dir = await open(path, 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
