import { describe, expect, it } from 'vitest'
import { Challenges, sha256Hex, signedMessage } from '../../src/api/signed-request.js'
import { contentTypeFor } from '../../src/cli/push.js'
import { parseListen } from '../../src/cli/serve.js'
import { testClock } from './memory-device.js'

const parts = {
  challenge: 'c'.repeat(43),
  method: 'POST',
  path: '/api/config',
  device: '0a1b2c3d4e5f',
  bodySha256: 'a'.repeat(64),
}

describe('the signed message', () => {
  it('is six LF-terminated lines in a fixed order', () => {
    expect(signedMessage(parts)).toBe(
      `atomicnix-config@v1\nchallenge ${'c'.repeat(43)}\nmethod POST\npath /api/config\ndevice 0a1b2c3d4e5f\n` +
        `body-sha256 ${'a'.repeat(64)}\n`,
    )
  })

  it('refuses parts that could forge another line or field', () => {
    for (const bad of [
      { challenge: 'x\ndevice ffffffffffff' },
      { device: 'a b' },
      { device: '' },
      { method: 'post' },
      { path: 'api/config' },
      { path: '/api/config\nbody-sha256 00' },
      { path: '/a b' },
      { bodySha256: 'A'.repeat(64) },
    ]) {
      expect(signedMessage({ ...parts, ...bad }), JSON.stringify(bad)).toBeUndefined()
    }
  })

  it('hashes with SHA-256 (hex)', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
  })
})

describe('challenges', () => {
  it('are single use, expire on the monotonic clock, and forget the oldest beyond the limit', () => {
    const clock = testClock()
    const challenges = new Challenges(clock, { lifetimeMs: 1_000, max: 2 })
    const a = challenges.issue()
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(challenges.use(a)).toBe('ok')
    expect(challenges.use(a)).toBe('unknown')
    const b = challenges.issue()
    clock.advance(1_001)
    expect(challenges.use(b)).toBe('expired')
    const c = challenges.issue()
    challenges.issue()
    challenges.issue()
    expect(challenges.use(c)).toBe('unknown')
  })
})

describe('serve and push options', () => {
  it('--listen takes IPv4:PORT or [IPv6]:PORT', () => {
    expect(parseListen('172.20.30.1:8080')).toEqual({ host: '172.20.30.1', port: 8080 })
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 })
    for (const bad of ['172.20.30.1', 'localhost:8080', '1.2.3.4:70000', ':8080']) {
      expect(() => parseListen(bad), bad).toThrow(/--listen wants IP:PORT/)
    }
  })

  it('push names the content type by the file name', () => {
    expect(contentTypeFor('config.toml')).toBe('application/toml')
    expect(contentTypeFor('site.tar.gz')).toBe('application/gzip')
    expect(contentTypeFor('site.TGZ')).toBe('application/gzip')
    expect(contentTypeFor('site.tar.zst')).toBe('application/zstd')
    expect(contentTypeFor('site.tar')).toBe('application/x-tar')
    expect(contentTypeFor('site.bin')).toBe('application/octet-stream')
  })
})
