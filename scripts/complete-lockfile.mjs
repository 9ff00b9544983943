#!/usr/bin/env node
// Adds to package-lock.json the platform packages of other systems that npm left out.
//
// Packages such as Biome, Rollup and turbo ship their binaries as optional dependencies, one per platform. When the
// registry cannot serve some of them (the one our machines reach has no macOS or Windows builds), npm leaves them out
// of the lock file, and `npm ci` then refuses the lock as out of sync ("Missing: ... from lock file"; npm/cli#4828
// and #8320 are the same gap). This script writes the missing entries with the os/cpu/libc constraints their names
// state, so `npm ci` skips them here and fetches them on a platform that needs them. Run it after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(file, 'utf8'))
const packages = lock.packages

const OS = {
  android: 'android',
  darwin: 'darwin',
  linux: 'linux',
  freebsd: 'freebsd',
  openbsd: 'openbsd',
  win32: 'win32',
  windows: 'win32',
  openharmony: 'openharmony',
}
const CPU = {
  arm64: 'arm64',
  x64: 'x64',
  64: 'x64',
  arm: 'arm',
  ia32: 'ia32',
  loong64: 'loong64',
  ppc64: 'ppc64',
  riscv64: 'riscv64',
  s390x: 's390x',
}

/** The os, cpu and libc that a platform package's name states, e.g. `@rollup/rollup-linux-arm-musleabihf`. */
function platformOf(name) {
  const words = name.split('/').pop().split('-')
  const os = words.map((w) => OS[w]).find(Boolean)
  const cpu = words.map((w) => CPU[w]).find(Boolean)
  if (!os || !cpu) return undefined
  const libc = os !== 'linux' ? undefined : words.some((w) => w.startsWith('musl')) ? 'musl' : 'glibc'
  return { os: [os], cpu: [cpu], ...(libc ? { libc: [libc] } : {}) }
}

let added = 0
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`
    if (packages[nested] || packages[`node_modules/${name}`]) continue
    const platform = platformOf(name)
    if (!platform || !/^\d+\.\d+\.\d+$/.test(version)) {
      console.error(`complete-lockfile: cannot tell the platform of ${name}@${version}; left out`)
      continue
    }
    packages[`node_modules/${name}`] = {
      version,
      ...platform,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
    }
    added++
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
)
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`complete-lockfile: ${added} platform entries added`)
