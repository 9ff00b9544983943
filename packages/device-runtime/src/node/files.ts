import { randomBytes } from 'node:crypto'
import { constants } from 'node:fs'
import { mkdir, open, rename, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { type Files, IoError } from '../ports.js'

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
    const buffer = Buffer.alloc(Math.min(limit, info.size + 1))
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
}
