import { randomBytes } from 'node:crypto'
import { constants, fstatSync } from 'node:fs'
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

/** Files on the local file system; writes go to a temporary file that is fsynced and renamed over the target. */
export const nodeFiles: Files = {
  async readRegularFile(path, limit) {
    let handle: Awaited<ReturnType<typeof open>>
    try {
      // O_NONBLOCK keeps a FIFO from blocking the open; it is refused below as not a regular file.
      handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK)
    } catch (error) {
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
      return new Uint8Array(buffer.buffer, buffer.byteOffset, length)
    } catch (error) {
      if (error instanceof IoError) throw error
      throw new IoError(`cannot read ${path}: ${reason(error)}`)
    } finally {
      await handle.close()
    }
  },

  readStandardInput(limit) {
    // Node hands a directory on fd 0 to process.stdin as an empty stream; it is an error, as for a FILE.
    try {
      if (fstatSync(0).isDirectory()) return Promise.reject(new IoError('cannot read standard input: is a directory'))
    } catch (error) {
      return Promise.reject(new IoError(`cannot read standard input: ${reason(error)}`))
    }
    const stdin = process.stdin
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      let length = 0
      const settle = (error?: unknown) => {
        stdin.off('data', onData).off('end', onEnd).off('error', onError)
        // Stop reading (and let the process exit) whether stdin ended or the limit was reached.
        stdin.pause()
        if (error !== undefined) reject(new IoError(`cannot read standard input: ${reason(error)}`))
        else {
          const all = Buffer.concat(chunks, length)
          resolve(new Uint8Array(all.buffer, all.byteOffset, Math.min(length, limit)))
        }
      }
      const onData = (chunk: Buffer) => {
        chunks.push(chunk)
        length += chunk.length
        if (length >= limit) settle()
      }
      const onEnd = () => settle()
      const onError = (error: unknown) => settle(error)
      stdin.on('data', onData).on('end', onEnd).on('error', onError)
    })
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
}
